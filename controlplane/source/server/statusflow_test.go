package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

const serviceJSON = `{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"ports":[{"port":8080}]}}`

// accepted reports why obj's condition at path is not Accepted=True.
func accepted(r resp, path string) string {
	c := condition(r.obj, path, "Accepted")
	if c == nil || c["status"] != "True" {
		return "Accepted is " + toJSONString(c)
	}
	return ""
}

func toJSONString(v any) string {
	b, _ := jsonMarshal(v)
	return string(b)
}

// End to end with the real translator: status appears through GET and
// watch, and never moves generation.
func TestStatusWriteBack(t *testing.T) {
	e := startEnv(t, envOptions{translator: true})
	w := e.watch(t, gwv1+"/namespaces/default/gateways?watch=true")
	e.do("PUT", classPath, classYAML).must(t, http.StatusCreated)
	e.do("PUT", gwPath, gatewayYAML).must(t, http.StatusCreated)
	e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)

	eventually(t, "GatewayClass accepted", func() string { return accepted(e.do("GET", classPath, ""), "status.conditions") })
	eventually(t, "Gateway accepted", func() string { return accepted(e.do("GET", gwPath, ""), "status.conditions") })
	eventually(t, "HTTPRoute accepted", func() string { return accepted(e.do("GET", routePath, ""), "status.parents.0.conditions") })

	for _, p := range []string{classPath, gwPath, routePath} {
		r := e.do("GET", p, "")
		if r.get("metadata.generation") != float64(1) {
			t.Errorf("%s: status writes moved generation to %v", p, r.get("metadata.generation"))
		}
	}
	route := e.do("GET", routePath, "")
	if route.str("status.parents.0.controllerName") != string(resource.DefaultControllerName) {
		t.Errorf("route parent status: %s", route.raw)
	}
	if c := condition(route.obj, "status.parents.0.conditions", "Accepted"); c["observedGeneration"] != float64(1) {
		t.Errorf("observedGeneration = %v", c["observedGeneration"])
	}

	// The watch saw the Gateway created and then its status written.
	w.expect("ADDED", "gw")
	for {
		ev := w.expect("MODIFIED", "gw")
		if c := condition(ev.Object, "status.conditions", "Accepted"); c != nil && c["status"] == "True" {
			break
		}
	}

	// A spec change is translated again: observedGeneration follows.
	e.do("PUT", routePath, routeYAML("web", "/v2")).must(t, http.StatusOK)
	eventually(t, "observedGeneration 2", func() string {
		r := e.do("GET", routePath, "")
		c := condition(r.obj, "status.parents.0.conditions", "Accepted")
		if c["observedGeneration"] != float64(2) || r.get("metadata.generation") != float64(2) {
			return "generation " + toJSONString(r.get("metadata.generation")) + ", condition " + toJSONString(c)
		}
		return ""
	})

	// A backend appearing changes ResolvedRefs, and only that.
	before := condition(e.do("GET", routePath, "").obj, "status.parents.0.conditions", "ResolvedRefs")
	if before == nil || before["status"] != "False" {
		t.Fatalf("ResolvedRefs before the Service exists: %v", before)
	}
	e.do("PUT", "/api/v1/namespaces/default/services/web", serviceJSON).must(t, http.StatusCreated)
	eventually(t, "ResolvedRefs", func() string {
		c := condition(e.do("GET", routePath, "").obj, "status.parents.0.conditions", "ResolvedRefs")
		if c["status"] != "True" {
			return toJSONString(c)
		}
		return ""
	})
}

// reconcileWith runs one status reconcile of a translation of what is
// stored, at a chosen clock, through a writer of its own (the env runs no
// translator, so nothing else writes status).
func reconcileWith(t *testing.T, e *env, w *statusWriter, snap *resource.Resources, now time.Time) {
	t.Helper()
	res := gatewayapi.Translate(snap, gatewayapi.Options{Now: func() time.Time { return now }})
	w.reconcile(context.Background(), res)
}

func snapshot(t *testing.T, e *env) *resource.Resources {
	t.Helper()
	s, err := loadSnapshot(context.Background(), e.st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func rvs(e *env, paths ...string) string {
	var out []string
	for _, p := range paths {
		out = append(out, e.do("GET", p, "").str("metadata.resourceVersion"))
	}
	return strings.Join(out, ",")
}

// Re-translating an unchanged world writes nothing, even from a stale
// snapshot and a later clock: transition times are kept.
func TestStatusDoesNotChurn(t *testing.T) {
	e := startEnv(t, envOptions{})
	e.do("PUT", classPath, classYAML).must(t, http.StatusCreated)
	e.do("PUT", gwPath, gatewayYAML).must(t, http.StatusCreated)
	e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	w := newStatusWriter(e.srv.api, e.srv.log)
	stale := snapshot(t, e)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	reconcileWith(t, e, w, stale, t0)
	gw := e.do("GET", gwPath, "")
	if c := condition(gw.obj, "status.conditions", "Accepted"); c["status"] != "True" || c["lastTransitionTime"] != "2030-01-01T00:00:00Z" {
		t.Fatalf("first reconcile: %v", c)
	}
	written := rvs(e, classPath, gwPath, routePath)

	reconcileWith(t, e, w, stale, t0.Add(time.Hour))
	reconcileWith(t, e, w, snapshot(t, e), t0.Add(2*time.Hour))
	// A fresh writer has no memory of what it wrote, so it must read and compare.
	reconcileWith(t, e, newStatusWriter(e.srv.api, e.srv.log), stale, t0.Add(3*time.Hour))
	if now := rvs(e, classPath, gwPath, routePath); now != written {
		t.Errorf("unchanged translations rewrote status: resourceVersions %s -> %s", written, now)
	}
}

// A verdict about an older generation is not written; status writes keep
// generation; a translation whose status changed keeps the
// lastTransitionTime of conditions whose status did not change.
func TestStatusGenerations(t *testing.T) {
	e := startEnv(t, envOptions{})
	e.do("PUT", classPath, classYAML).must(t, http.StatusCreated)
	e.do("PUT", gwPath, gatewayYAML).must(t, http.StatusCreated)
	e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	w := newStatusWriter(e.srv.api, e.srv.log)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	gen1 := snapshot(t, e)
	reconcileWith(t, e, w, gen1, t0)

	e.do("PUT", routePath, routeYAML("web", "/v2")).must(t, http.StatusOK)
	before := e.do("GET", routePath, "")
	reconcileWith(t, e, newStatusWriter(e.srv.api, e.srv.log), gen1, t0.Add(time.Hour))
	if after := e.do("GET", routePath, ""); after.str("metadata.resourceVersion") != before.str("metadata.resourceVersion") {
		t.Errorf("a translation of generation 1 was written over generation 2:\n%s", after.raw)
	}

	e.do("PUT", "/api/v1/namespaces/default/services/web", serviceJSON).must(t, http.StatusCreated)
	reconcileWith(t, e, w, snapshot(t, e), t0.Add(2*time.Hour))
	r := e.do("GET", routePath, "")
	acc := condition(r.obj, "status.parents.0.conditions", "Accepted")
	res := condition(r.obj, "status.parents.0.conditions", "ResolvedRefs")
	if acc["observedGeneration"] != float64(2) || r.get("metadata.generation") != float64(2) {
		t.Errorf("after the status write: generation %v, observedGeneration %v", r.get("metadata.generation"), acc["observedGeneration"])
	}
	if acc["lastTransitionTime"] != "2030-01-01T00:00:00Z" {
		t.Errorf("Accepted stayed True but its lastTransitionTime moved to %v", acc["lastTransitionTime"])
	}
	if res["status"] != "True" || res["lastTransitionTime"] != "2030-01-01T02:00:00Z" {
		t.Errorf("ResolvedRefs flipped but: %v", res)
	}
}

// Objects we stop handling lose our status.
func TestStatusDisowned(t *testing.T) {
	e := startEnv(t, envOptions{})
	e.do("PUT", classPath, classYAML).must(t, http.StatusCreated)
	e.do("PUT", gwPath, gatewayYAML).must(t, http.StatusCreated)
	e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	w := newStatusWriter(e.srv.api, e.srv.log)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	reconcileWith(t, e, w, snapshot(t, e), t0)
	if msg := accepted(e.do("GET", gwPath, ""), "status.conditions"); msg != "" {
		t.Fatal(msg)
	}

	// controllerName is immutable, so a class leaves us by going away.
	e.do("DELETE", classPath, "").must(t, http.StatusOK)
	reconcileWith(t, e, w, snapshot(t, e), t0.Add(time.Hour))
	r := e.do("GET", gwPath, "")
	if c := condition(r.obj, "status.conditions", "Accepted"); c == nil || c["reason"] != "Pending" {
		t.Errorf("the Gateway keeps our status after its class went away: %v", r.get("status"))
	}
	if parents, _ := e.do("GET", routePath, "").get("status.parents").([]any); len(parents) != 0 {
		t.Errorf("route keeps our parent status: %v", parents)
	}
}

// Only changes the translator reads are republished: a status write would
// otherwise trigger the translation that writes status again.
func TestPublisherIgnoresStatusOnlyChanges(t *testing.T) {
	p := newPublisher(nil, nil, e2eLogger())
	key := store.Key{Group: resource.GroupGatewayAPI, Kind: resource.KindGateway, Namespace: "default", Name: "gw"}
	val := func(s string) []byte {
		obj, err := DecodeObject([]byte(s), FormatYAML)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := jsonMarshal(obj)
		return b
	}
	base := gatewayYAML + "status: {conditions: []}\n"
	steps := []struct {
		typ  store.EventType
		val  string
		want bool
	}{
		{store.Added, base, true},
		{store.Modified, gatewayYAML + "status: {listeners: []}\n", false},
		{store.Modified, strings.Replace(base, "name: gw,", "name: gw, labels: {a: b},", 1), true},
		{store.Modified, strings.Replace(base, "8080", "8081", 1), true},
		{store.Deleted, base, true},
		{store.Deleted, base, false},
	}
	for i, s := range steps {
		got, err := p.apply(store.Event{Type: s.typ, Object: store.Object{Key: key, Value: val(s.val)}})
		if err != nil || got != s.want {
			t.Errorf("step %d (%v): republish = %v, %v; want %v", i, s.typ, got, err, s.want)
		}
	}
	pod := store.Key{Group: "", Kind: "Pod", Namespace: "default", Name: "s"}
	if got, _ := p.apply(store.Event{Type: store.Added, Object: store.Object{Key: pod, Value: []byte(`{"kind":"Pod"}`)}}); got {
		t.Error("a kind the translator does not read was republished")
	}
}

// On restart the store is the source of truth: the objects are there and
// their status is computed again.
func TestRestart(t *testing.T) {
	e := startEnv(t, envOptions{})
	e.do("PUT", classPath, classYAML).must(t, http.StatusCreated)
	e.do("PUT", gwPath, gatewayYAML).must(t, http.StatusCreated)
	before := e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	if c := condition(e.do("GET", gwPath, "").obj, "status.conditions", "Accepted"); c["reason"] != "Pending" {
		t.Fatalf("no translator ran, yet status is %v", c)
	}
	e.opts.translator = true
	e.restart()
	after := e.do("GET", routePath, "").must(t, http.StatusOK)
	for _, f := range []string{"metadata.uid", "metadata.creationTimestamp", "spec.rules.0.matches.0.path.value"} {
		if after.str(f) != before.str(f) {
			t.Errorf("%s changed across a restart: %q -> %q", f, before.str(f), after.str(f))
		}
	}
	eventually(t, "Gateway accepted after restart", func() string { return accepted(e.do("GET", gwPath, ""), "status.conditions") })
	eventually(t, "route accepted after restart", func() string { return accepted(e.do("GET", routePath, ""), "status.parents.0.conditions") })
	// The store's revisions carry on from where they were.
	e.do("PUT", routesPath+"/second", routeYAML("second", "/2")).must(t, http.StatusCreated)
}

// Routes of other kinds get their status the same way (and it passes the
// CRD's status validation, which the test env turns on).
func TestStatusOfL4Routes(t *testing.T) {
	e := startEnv(t, envOptions{})
	e.do("PUT", classPath, classYAML).must(t, http.StatusCreated)
	gw := strings.Replace(gatewayYAML, "  - {name: http, protocol: HTTP, port: 8080}",
		"  - {name: http, protocol: HTTP, port: 8080}\n  - {name: tcp, protocol: TCP, port: 9000, allowedRoutes: {kinds: [{kind: TCPRoute}]}}", 1)
	e.do("PUT", gwPath, gw).must(t, http.StatusCreated)
	tcp := `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"TCPRoute","metadata":{"name":"db","namespace":"default"},
"spec":{"parentRefs":[{"name":"gw","sectionName":"tcp"}],"rules":[{"backendRefs":[{"name":"db","port":5432}]}]}}`
	path := gwv1 + "/namespaces/default/tcproutes/db"
	e.do("PUT", path, tcp).must(t, http.StatusCreated)
	reconcileWith(t, e, newStatusWriter(e.srv.api, e.srv.log), snapshot(t, e), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	got := e.do("GET", path, "")
	if msg := accepted(got, "status.parents.0.conditions"); msg != "" {
		t.Errorf("TCPRoute status: %s\n%s", msg, got.raw)
	}
	if got.get("metadata.generation") != float64(1) {
		t.Errorf("generation %v", got.get("metadata.generation"))
	}
}
