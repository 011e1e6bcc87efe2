package server

import (
	"net/http"
	"strings"
	"testing"
)

// A create fills the system metadata; GET returns what was stored.
func TestCreateAndGet(t *testing.T) {
	e := startEnv(t, envOptions{})
	created := e.do("PUT", routePath, routeYAML("web", "/"), "Content-Type", "application/yaml").must(t, http.StatusCreated)
	for _, f := range []string{"metadata.uid", "metadata.creationTimestamp", "metadata.resourceVersion"} {
		if created.str(f) == "" {
			t.Errorf("%s not set on create:\n%s", f, created.raw)
		}
	}
	if g := created.get("metadata.generation"); g != float64(1) {
		t.Errorf("generation = %v, want 1", g)
	}
	got := e.do("GET", routePath, "").must(t, http.StatusOK)
	for _, f := range []string{"metadata.uid", "metadata.creationTimestamp", "metadata.resourceVersion", "spec.rules.0.matches.0.path.value"} {
		if got.str(f) != created.str(f) {
			t.Errorf("GET %s = %q, PUT returned %q", f, got.str(f), created.str(f))
		}
	}
	// Defaults from the CRD schema were applied, as kube-apiserver does.
	if w := got.get("spec.rules.0.backendRefs.0.weight"); w != float64(1) {
		t.Errorf("backendRef weight = %v, want the schema default 1", w)
	}
	if got.str("apiVersion") != "gateway.networking.k8s.io/v1" || got.str("kind") != "HTTPRoute" {
		t.Errorf("type meta = %s %s", got.str("apiVersion"), got.str("kind"))
	}
}

// generation moves with the spec only; uid and creationTimestamp never.
func TestGenerationAndSystemFields(t *testing.T) {
	e := startEnv(t, envOptions{})
	first := e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)

	same := e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusOK)
	if same.str("metadata.resourceVersion") != first.str("metadata.resourceVersion") {
		t.Errorf("an identical PUT wrote: resourceVersion %s -> %s", first.str("metadata.resourceVersion"), same.str("metadata.resourceVersion"))
	}

	relabelled := strings.Replace(routeYAML("web", "/"), "labels: {app: web}", "labels: {app: web, tier: front}", 1)
	meta := e.do("PUT", routePath, relabelled).must(t, http.StatusOK)
	if meta.get("metadata.generation") != float64(1) {
		t.Errorf("a labels-only change bumped generation to %v", meta.get("metadata.generation"))
	}
	if meta.str("metadata.resourceVersion") == first.str("metadata.resourceVersion") {
		t.Error("a labels change did not write")
	}

	spec := e.do("PUT", routePath, routeYAML("web", "/v2")).must(t, http.StatusOK)
	if spec.get("metadata.generation") != float64(2) {
		t.Errorf("a spec change left generation at %v, want 2", spec.get("metadata.generation"))
	}
	for _, f := range []string{"metadata.uid", "metadata.creationTimestamp"} {
		if spec.str(f) != first.str(f) {
			t.Errorf("%s changed on update: %q -> %q", f, first.str(f), spec.str(f))
		}
	}

	// A client cannot set them either.
	forged := strings.Replace(routeYAML("web", "/v3"), "metadata: {", "metadata: {generation: 40, creationTimestamp: '2001-01-01T00:00:00Z', ", 1)
	f := e.do("PUT", routePath, forged).must(t, http.StatusOK)
	if f.get("metadata.generation") != float64(3) || f.str("metadata.creationTimestamp") != first.str("metadata.creationTimestamp") {
		t.Errorf("client-sent generation/creationTimestamp were taken: %v %v", f.get("metadata.generation"), f.str("metadata.creationTimestamp"))
	}
	badUID := strings.Replace(routeYAML("web", "/v3"), "metadata: {", "metadata: {uid: 0b5b8b4e-0000-0000-0000-000000000000, ", 1)
	r := e.do("PUT", routePath, badUID).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.raw), "metadata.uid") {
		t.Errorf("changing uid should be rejected naming metadata.uid:\n%s", r.raw)
	}
}

// resourceVersion in the body is an optimistic-concurrency precondition.
func TestResourceVersionConflict(t *testing.T) {
	e := startEnv(t, envOptions{})
	first := e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	rv1 := first.str("metadata.resourceVersion")
	withRV := func(prefix, rv string) string {
		return strings.Replace(routeYAML("web", prefix), "metadata: {", "metadata: {resourceVersion: '"+rv+"', ", 1)
	}
	second := e.do("PUT", routePath, withRV("/a", rv1)).must(t, http.StatusOK)

	stale := e.do("PUT", routePath, withRV("/b", rv1)).must(t, http.StatusConflict)
	if stale.str("reason") != "Conflict" || stale.str("kind") != "Status" ||
		!strings.Contains(stale.str("message"), "the object has been modified") {
		t.Errorf("stale write answered:\n%s", stale.raw)
	}
	if got := e.do("GET", routePath, ""); got.str("spec.rules.0.matches.0.path.value") != "/a" {
		t.Errorf("the conflicting write changed the object: %s", got.raw)
	}
	e.do("PUT", routePath, withRV("/c", second.str("metadata.resourceVersion"))).must(t, http.StatusOK)

	// Delete with a stale precondition conflicts too, and deletes nothing.
	pre := `{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"` + rv1 + `"}}`
	e.do("DELETE", routePath, pre).must(t, http.StatusConflict)
	e.do("GET", routePath, "").must(t, http.StatusOK)

	// A resourceVersion for an object that is gone is a 404.
	e.do("DELETE", routePath, "").must(t, http.StatusOK)
	e.do("PUT", routePath, withRV("/d", rv1)).must(t, http.StatusNotFound)
	e.do("PUT", routePath, withRV("/d", "x1")).must(t, http.StatusBadRequest)
}

func TestStatusCodes(t *testing.T) {
	e := startEnv(t, envOptions{})
	e.do("GET", routePath, "").must(t, http.StatusNotFound)
	e.do("DELETE", routePath, "").must(t, http.StatusNotFound)
	e.do("GET", gwv1+"/namespaces/default/nosuchkinds/x", "").must(t, http.StatusNotFound)
	e.do("GET", "/nowhere", "").must(t, http.StatusNotFound)
	// Cluster-scoped kinds have no namespaced path.
	e.do("GET", gwv1+"/namespaces/default/gatewayclasses/eg", "").must(t, http.StatusNotFound)

	created := e.do("POST", routesPath, routeYAML("web", "/")).must(t, http.StatusCreated)
	exists := e.do("POST", routesPath, routeYAML("web", "/x")).must(t, http.StatusConflict)
	if exists.str("reason") != "AlreadyExists" {
		t.Errorf("second POST: %s", exists.raw)
	}
	e.do("PATCH", routePath, `{}`).must(t, http.StatusMethodNotAllowed)
	e.do("DELETE", routesPath, "").must(t, http.StatusMethodNotAllowed)

	// Bodies that name another object are refused.
	e.do("PUT", gwv1+"/namespaces/default/httproutes/other", routeYAML("web", "/")).must(t, http.StatusBadRequest)
	e.do("PUT", gwv1+"/namespaces/prod/httproutes/web", routeYAML("web", "/")).must(t, http.StatusBadRequest)
	e.do("PUT", gwv1+"/gatewayclasses/web", routeYAML("web", "/")).must(t, http.StatusBadRequest)

	deleted := e.do("DELETE", routePath, "").must(t, http.StatusOK)
	if deleted.str("metadata.uid") != created.str("metadata.uid") {
		t.Errorf("DELETE returned %s", deleted.raw)
	}
	e.do("GET", routePath, "").must(t, http.StatusNotFound)
}

// Bodies that cannot be decoded get 400 saying what is wrong and where.
func TestUndecodableBodies(t *testing.T) {
	e := startEnv(t, envOptions{})
	cases := []struct{ name, body, ct, want string }{
		{"json syntax", "{\n  \"kind\": \"HTTPRoute\",\n  x\n}", "application/json", "line 3, column 3"},
		{"yaml syntax", "kind: [unclosed\n", "application/yaml", "YAML"},
		{"not an object", "[1, 2]", "application/json", "a list"},
		{"empty", "", "", "empty"},
		{"two documents", routeYAML("web", "/") + "---\n" + routeYAML("web", "/"), "application/yaml", "2 YAML documents"},
		{"duplicate field", `{"kind":"HTTPRoute","kind":"HTTPRoute"}`, "application/json", `duplicate field "kind"`},
		{"unknown field", strings.Replace(routeYAML("web", "/"), "spec:", "spec:\n  hostnamez: [a]", 1), "", `unknown field "spec.hostnamez"`},
		{"wrong type", strings.Replace(routeYAML("web", "/"), "metadata: {", "metadata: {labels: 5, ", 1), "", "labels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("PUT", routePath, c.body, "Content-Type", c.ct)
			if r.code != http.StatusBadRequest && !(c.name == "wrong type" && r.code == http.StatusUnprocessableEntity) {
				t.Fatalf("got %d:\n%s", r.code, r.raw)
			}
			if !strings.Contains(r.str("message"), c.want) {
				t.Errorf("message %q does not mention %q", r.str("message"), c.want)
			}
			e.do("GET", routePath, "").must(t, http.StatusNotFound)
		})
	}
}

func TestFieldValidationWarn(t *testing.T) {
	e := startEnv(t, envOptions{})
	body := strings.Replace(routeYAML("web", "/"), "spec:", "spec:\n  hostnamez: [a]", 1)
	r := e.do("PUT", routePath+"?fieldValidation=Warn", body).must(t, http.StatusCreated)
	if w := r.header.Get("Warning"); !strings.Contains(w, "spec.hostnamez") {
		t.Errorf("Warning header = %q", w)
	}
	if r.get("spec.hostnamez") != nil {
		t.Error("the unknown field was stored")
	}
	e.do("PUT", routePath+"?fieldValidation=Sometimes", body).must(t, http.StatusBadRequest)
}

func TestBodyLimit(t *testing.T) {
	e := startEnv(t, envOptions{server: Options{MaxBodyBytes: 1024}})
	big := strings.Replace(routeYAML("web", "/"), "metadata: {", "metadata: {annotations: {pad: '"+strings.Repeat("x", 2000)+"'}, ", 1)
	r := e.do("PUT", routePath, big).must(t, http.StatusRequestEntityTooLarge)
	if r.str("kind") != "Status" {
		t.Errorf("not a Status: %s", r.raw)
	}
	e.do("GET", routePath, "").must(t, http.StatusNotFound)
}

// Objects sent and read as YAML, and through an older API version.
func TestYAMLAndVersions(t *testing.T) {
	e := startEnv(t, envOptions{})
	e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	y := e.do("GET", routePath, "", "Accept", "application/yaml").must(t, http.StatusOK)
	if !strings.Contains(string(y.raw), "kind: HTTPRoute") || y.header.Get("Content-Type") != "application/yaml" {
		t.Errorf("YAML answer:\n%s", y.raw)
	}
	beta := e.do("GET", "/apis/gateway.networking.k8s.io/v1beta1/namespaces/default/httproutes/web", "").must(t, http.StatusOK)
	if beta.str("apiVersion") != "gateway.networking.k8s.io/v1beta1" {
		t.Errorf("v1beta1 read returned apiVersion %q", beta.str("apiVersion"))
	}
	// A write through v1beta1 is the same object.
	body := strings.Replace(routeYAML("web", "/beta"), "gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1", 1)
	e.do("PUT", "/apis/gateway.networking.k8s.io/v1beta1/namespaces/default/httproutes/web", body).must(t, http.StatusOK)
	if v1 := e.do("GET", routePath, ""); v1.str("spec.rules.0.matches.0.path.value") != "/beta" || v1.get("metadata.generation") != float64(2) {
		t.Errorf("v1 view after a v1beta1 write:\n%s", v1.raw)
	}
}

// Core and project kinds have their Kubernetes paths.
func TestOtherKinds(t *testing.T) {
	e := startEnv(t, envOptions{})
	svc := `{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"ports":[{"port":8080}]}}`
	s := e.do("PUT", "/api/v1/namespaces/default/services/web", svc).must(t, http.StatusCreated)
	if s.get("spec.ports.0.protocol") != "TCP" {
		t.Errorf("Service defaults not applied: %s", s.raw)
	}
	ns := `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}`
	e.do("PUT", "/api/v1/namespaces/team-a", ns).must(t, http.StatusCreated)
	e.do("GET", "/api/v1/namespaces/team-a", "").must(t, http.StatusOK)
	be := `{"apiVersion":"envoygateway.dev/v1alpha1","kind":"Backend","metadata":{"name":"ext"},"spec":{"endpoints":[{"address":"10.0.0.1:80"}]}}`
	e.do("PUT", "/apis/envoygateway.dev/v1alpha1/namespaces/default/backends/ext", be).must(t, http.StatusCreated)
	bad := `{"apiVersion":"envoygateway.dev/v1alpha1","kind":"Backend","metadata":{"name":"ext2"},"spec":{}}`
	e.do("PUT", "/apis/envoygateway.dev/v1alpha1/namespaces/default/backends/ext2", bad).must(t, http.StatusUnprocessableEntity)
	d := e.do("GET", "/apis/gateway.networking.k8s.io/v1", "").must(t, http.StatusOK)
	if !strings.Contains(string(d.raw), `"httproutes/status"`) {
		t.Errorf("discovery: %s", d.raw)
	}
	e.do("GET", "/apis", "").must(t, http.StatusOK)
	e.do("GET", "/version", "").must(t, http.StatusOK)
}

func TestPostAndDeletePreconditions(t *testing.T) {
	e := startEnv(t, envOptions{})
	noName := strings.Replace(routeYAML("web", "/"), "name: web, ", "", 1)
	r := e.do("POST", routesPath, noName).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.raw), `"field":"metadata.name"`) {
		t.Errorf("POST without a name: %s", r.raw)
	}
	created := e.do("POST", routesPath, routeYAML("web", "/")).must(t, http.StatusCreated)
	wrongUID := `{"preconditions":{"uid":"not-the-uid"}}`
	c := e.do("DELETE", routePath, wrongUID).must(t, http.StatusConflict)
	if !strings.Contains(c.str("message"), "Precondition failed: UID") {
		t.Errorf("uid precondition: %s", c.raw)
	}
	e.do("DELETE", routePath, `{"preconditions":{"what":1}}`).must(t, http.StatusBadRequest)
	right := `{"preconditions":{"uid":"` + created.str("metadata.uid") + `","resourceVersion":"` + created.str("metadata.resourceVersion") + `"}}`
	e.do("DELETE", routePath, right).must(t, http.StatusOK)
	e.do("GET", routePath, "").must(t, http.StatusNotFound)
}
