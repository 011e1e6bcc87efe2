package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/bolt"
)

func names(r resp) []string {
	var out []string
	items, _ := r.get("items").([]any)
	for _, it := range items {
		out = append(out, dig(it, "metadata.namespace").(string)+"/"+dig(it, "metadata.name").(string))
	}
	return out
}

func TestListWithLabelSelector(t *testing.T) {
	e := startEnv(t, envOptions{})
	for _, n := range []string{"a", "b", "c"} {
		e.do("PUT", routesPath+"/"+n, routeYAML(n, "/"+n)).must(t, http.StatusCreated)
	}
	other := strings.Replace(routeYAML("a", "/"), "namespace: default", "namespace: prod", 1)
	e.do("PUT", gwv1+"/namespaces/prod/httproutes/a", other).must(t, http.StatusCreated)

	all := e.do("GET", routesPath, "").must(t, http.StatusOK)
	if got := strings.Join(names(all), " "); got != "default/a default/b default/c" {
		t.Errorf("list default = %s", got)
	}
	if all.str("kind") != "HTTPRouteList" || all.str("metadata.resourceVersion") != "4" {
		t.Errorf("list meta: %s %s", all.str("kind"), all.str("metadata.resourceVersion"))
	}
	if dig(all.get("items"), "0.metadata.resourceVersion") != "1" {
		t.Errorf("items carry no resourceVersion: %s", all.raw)
	}
	sel := e.do("GET", routesPath+"?labelSelector=app+in+(a,c)", "").must(t, http.StatusOK)
	if got := strings.Join(names(sel), " "); got != "default/a default/c" {
		t.Errorf("selector app in (a,c) = %s", got)
	}
	cross := e.do("GET", gwv1+"/httproutes?labelSelector=app%3Da", "").must(t, http.StatusOK)
	if got := strings.Join(names(cross), " "); got != "default/a prod/a" {
		t.Errorf("all namespaces app=a = %s", got)
	}
	e.do("GET", routesPath+"?labelSelector=app+in+(", "").must(t, http.StatusBadRequest)
	e.do("GET", routesPath+"?fieldSelector=metadata.name%3Da", "").must(t, http.StatusBadRequest)
}

// watchStream is an open ?watch=true request.
type watchStream struct {
	t      *testing.T
	cancel context.CancelFunc
	sc     *bufio.Scanner
	code   int
	body   string
}

type event struct {
	Type   string         `json:"type"`
	Object map[string]any `json:"object"`
}

func (e *env) watch(t *testing.T, path string) *watchStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.srv.Token())
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	w := &watchStream{t: t, cancel: cancel, code: res.StatusCode, sc: bufio.NewScanner(res.Body)}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		var b strings.Builder
		for w.sc.Scan() {
			b.Write(w.sc.Bytes())
		}
		w.body = b.String()
	}
	return w
}

// next reads one event; the request's deadline is the test's hang bound.
func (w *watchStream) next() event {
	w.t.Helper()
	done := make(chan bool, 1)
	go func() { done <- w.sc.Scan() }()
	select {
	case ok := <-done:
		if !ok {
			w.t.Fatalf("watch ended: %v", w.sc.Err())
		}
	case <-timeout():
		w.cancel()
		w.t.Fatal("no watch event")
	}
	var ev event
	if err := json.Unmarshal(w.sc.Bytes(), &ev); err != nil {
		w.t.Fatalf("bad event %q: %v", w.sc.Bytes(), err)
	}
	return ev
}

func (w *watchStream) expect(typ, name string) event {
	w.t.Helper()
	ev := w.next()
	if ev.Type != typ || dig(ev.Object, "metadata.name") != name {
		w.t.Fatalf("got %s %v, want %s %s", ev.Type, dig(ev.Object, "metadata.name"), typ, name)
	}
	return ev
}

// A watch from a resourceVersion replays exactly the later changes, in
// order, and then follows live ones.
func TestWatchResume(t *testing.T) {
	e := startEnv(t, envOptions{})
	a := e.do("PUT", routesPath+"/a", routeYAML("a", "/")).must(t, http.StatusCreated)
	from := a.str("metadata.resourceVersion")
	e.do("PUT", routesPath+"/a", routeYAML("a", "/v2")).must(t, http.StatusOK)
	e.do("PUT", routesPath+"/b", routeYAML("b", "/")).must(t, http.StatusCreated)
	e.do("DELETE", routesPath+"/a", "").must(t, http.StatusOK)
	e.do("PUT", gwPath, gatewayYAML).must(t, http.StatusCreated) // another kind: not in this watch

	w := e.watch(t, routesPath+"?watch=true&resourceVersion="+from)
	if w.code != http.StatusOK {
		t.Fatalf("watch: %d %s", w.code, w.body)
	}
	m := w.expect("MODIFIED", "a")
	if dig(m.Object, "spec.rules.0.matches.0.path.value") != "/v2" || m.Object["apiVersion"] != "gateway.networking.k8s.io/v1" {
		t.Errorf("MODIFIED event object: %v", m.Object)
	}
	w.expect("ADDED", "b")
	d := w.expect("DELETED", "a")
	last := dig(d.Object, "metadata.resourceVersion").(string)
	e.do("PUT", routesPath+"/c", routeYAML("c", "/")).must(t, http.StatusCreated)
	c := w.expect("ADDED", "c")
	if rv := atoi(dig(c.Object, "metadata.resourceVersion").(string)); rv <= atoi(last) {
		t.Errorf("live event revision %d not after %s", rv, last)
	}

	// Without a resourceVersion, a watch starts with the current objects.
	w2 := e.watch(t, routesPath+"?watch=1")
	w2.expect("ADDED", "b")
	w2.expect("ADDED", "c")

	// A selector filters events.
	w3 := e.watch(t, routesPath+"?watch=true&labelSelector=app%3Dd&resourceVersion="+last)
	e.do("PUT", routesPath+"/d", routeYAML("d", "/")).must(t, http.StatusCreated)
	w3.expect("ADDED", "d")
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// Resuming from a revision the store no longer keeps is 410 Gone.
func TestWatchCompacted(t *testing.T) {
	e := startEnv(t, envOptions{store: bolt.Options{EventLogSize: 5}})
	first := e.do("PUT", routesPath+"/a", routeYAML("a", "/")).must(t, http.StatusCreated)
	for i := range 10 {
		e.do("PUT", routesPath+"/a", routeYAML("a", "/"+strconv.Itoa(i))).must(t, http.StatusOK)
	}
	w := e.watch(t, routesPath+"?watch=true&resourceVersion="+first.str("metadata.resourceVersion"))
	if w.code != http.StatusGone {
		t.Fatalf("watch from a compacted revision: %d %s", w.code, w.body)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(w.body), &st); err != nil || st["reason"] != "Expired" || st["kind"] != "Status" {
		t.Errorf("410 body: %s", w.body)
	}
	// The cure: list, and watch from the list's revision.
	list := e.do("GET", routesPath, "").must(t, http.StatusOK)
	w2 := e.watch(t, routesPath+"?watch=true&resourceVersion="+list.str("metadata.resourceVersion"))
	e.do("DELETE", routesPath+"/a", "").must(t, http.StatusOK)
	w2.expect("DELETED", "a")
}

// Status is a subresource: readable, not writable by clients, and status
// sent with the object is ignored.
func TestStatusSubresource(t *testing.T) {
	e := startEnv(t, envOptions{})
	withStatus := gatewayYAML + `
status:
  conditions:
  - {type: Accepted, status: "True", reason: Accepted, message: forged, lastTransitionTime: "2020-01-01T00:00:00Z"}
`
	created := e.do("PUT", gwPath, withStatus).must(t, http.StatusCreated)
	if c := condition(created.obj, "status.conditions", "Accepted"); c == nil || c["reason"] != "Pending" {
		t.Errorf("client status was taken on create: %v", created.get("status"))
	}
	st := e.do("GET", gwPath+"/status", "").must(t, http.StatusOK)
	if st.str("metadata.name") != "gw" || st.get("status") == nil {
		t.Errorf("GET status: %s", st.raw)
	}
	for _, m := range []string{"PUT", "PATCH", "POST", "DELETE"} {
		r := e.do(m, gwPath+"/status", withStatus).must(t, http.StatusMethodNotAllowed)
		if r.str("reason") != "MethodNotAllowed" {
			t.Errorf("%s status: %s", m, r.raw)
		}
	}
	updated := e.do("PUT", gwPath, strings.Replace(withStatus, "8080", "8081", 1)).must(t, http.StatusOK)
	if c := condition(updated.obj, "status.conditions", "Accepted"); c == nil || c["reason"] != "Pending" {
		t.Errorf("client status was taken on update: %v", updated.get("status"))
	}
	// Kinds without a status subresource have no /status path.
	e.do("PUT", "/api/v1/namespaces/default/services/web", `{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"ports":[{"port":80}]}}`).must(t, http.StatusCreated)
	e.do("GET", "/api/v1/namespaces/default/services/web/status", "").must(t, http.StatusNotFound)
}

// With a label selector, a watch reports objects entering and leaving the
// selection as kube-apiserver does: ADDED when a change makes an object
// match, DELETED (with its last matching state, at the change's revision)
// when a change makes it stop; changes outside the selection are not sent.
// Live and replayed from the log alike.
func TestWatchSelectorEnterAndLeave(t *testing.T) {
	e := startEnv(t, envOptions{})
	route := func(name, tier, prefix string) string {
		return strings.Replace(routeYAML(name, prefix), "labels: {app: "+name+"}", "labels: {app: "+name+", tier: "+tier+"}", 1)
	}
	from := e.do("PUT", routesPath+"/x", route("x", "back", "/")).must(t, http.StatusCreated).str("metadata.resourceVersion")
	const sel = "?watch=true&labelSelector=tier%3Dfront&resourceVersion="
	live := e.watch(t, routesPath+sel+from)

	e.do("PUT", routesPath+"/x", route("x", "front", "/")).must(t, http.StatusOK)
	e.do("PUT", routesPath+"/x", route("x", "front", "/v2")).must(t, http.StatusOK)
	left := e.do("PUT", routesPath+"/x", route("x", "back", "/v3")).must(t, http.StatusOK).str("metadata.resourceVersion")
	e.do("PUT", routesPath+"/x", route("x", "back", "/v4")).must(t, http.StatusOK)
	e.do("PUT", routesPath+"/z", route("z", "front", "/")).must(t, http.StatusCreated)
	e.do("DELETE", routesPath+"/z", "").must(t, http.StatusOK)

	replay := e.watch(t, routesPath+sel+from)
	for name, w := range map[string]*watchStream{"live": live, "replayed": replay} {
		t.Run(name, func(t *testing.T) {
			w.t = t
			w.expect("ADDED", "x")
			if m := w.expect("MODIFIED", "x"); dig(m.Object, "spec.rules.0.matches.0.path.value") != "/v2" {
				t.Errorf("MODIFIED object: %v", m.Object)
			}
			d := w.expect("DELETED", "x")
			if dig(d.Object, "metadata.labels.tier") != "front" || dig(d.Object, "spec.rules.0.matches.0.path.value") != "/v2" {
				t.Errorf("DELETED object is not the last matching state: %v", d.Object)
			}
			if rv := dig(d.Object, "metadata.resourceVersion"); rv != left {
				t.Errorf("DELETED resourceVersion = %v, want the change's %s", rv, left)
			}
			// x's change outside the selection (/v4) is not sent: z is next.
			w.expect("ADDED", "z")
			w.expect("DELETED", "z")
		})
	}
}
