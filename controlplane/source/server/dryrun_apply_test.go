package server

import (
	"net/http"
	"strings"
	"testing"
)

// storeRevision is the store's revision, read through a list.
func storeRevision(t *testing.T, e *env) string {
	t.Helper()
	return e.do("GET", gwv1+"/httproutes", "").must(t, http.StatusOK).str("metadata.resourceVersion")
}

// A dry-run validates and translates the candidate among everything in
// force, answers with the status it would get, and stores nothing.
func TestDryRun(t *testing.T) {
	e := startEnv(t, envOptions{translator: true})
	e.do("PUT", classPath, classYAML).must(t, http.StatusCreated)
	e.do("PUT", gwPath, gatewayYAML).must(t, http.StatusCreated)
	eventually(t, "Gateway accepted", func() string { return accepted(e.do("GET", gwPath, ""), "status.conditions") })
	rev := storeRevision(t, e)

	r := e.do("PUT", routePath+"?dryRun=All", routeYAML("web", "/")).must(t, http.StatusCreated)
	if msg := accepted(r, "status.parents.0.conditions"); msg != "" {
		t.Errorf("dry-run status: %s\n%s", msg, r.raw)
	}
	if c := condition(r.obj, "status.parents.0.conditions", "ResolvedRefs"); c == nil || c["reason"] != "BackendNotFound" {
		t.Errorf("dry-run should say the backend is missing: %v", c)
	}
	if r.str("metadata.uid") == "" || r.str("metadata.resourceVersion") != "" {
		t.Errorf("dry-run create metadata: %v", r.get("metadata"))
	}
	e.do("GET", routePath, "").must(t, http.StatusNotFound)
	if now := storeRevision(t, e); now != rev {
		t.Errorf("a dry-run wrote: revision %s -> %s", rev, now)
	}

	// A route to a listener that does not exist is refused, in the dry-run too.
	bad := strings.Replace(routeYAML("web", "/"), "parentRefs: [{name: gw}]", "parentRefs: [{name: gw, sectionName: nope}]", 1)
	nm := e.do("PUT", routePath+"?dryRun=All", bad).must(t, http.StatusCreated)
	if c := condition(nm.obj, "status.parents.0.conditions", "Accepted"); c == nil || c["status"] != "False" || c["reason"] != "NoMatchingParent" {
		t.Errorf("dry-run of a route to a missing listener: %v", c)
	}

	// Invalid input is rejected as it would be for real.
	e.do("PUT", routePath+"?dryRun=All", routeYAML("web", "no-slash")).must(t, http.StatusUnprocessableEntity)
	e.do("PUT", routePath+"?dryRun=Some", routeYAML("web", "/")).must(t, http.StatusBadRequest)

	// A dry-run update shows the next generation and leaves the stored one.
	e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	// The status write-back moves resourceVersion; compare with the object
	// once its status is in.
	eventually(t, "route status written", func() string { return accepted(e.do("GET", routePath, ""), "status.parents.0.conditions") })
	stored := e.do("GET", routePath, "").must(t, http.StatusOK)
	up := e.do("PUT", routePath+"?dryRun=All", routeYAML("web", "/v2")).must(t, http.StatusOK)
	if up.get("metadata.generation") != float64(2) || up.str("metadata.resourceVersion") != stored.str("metadata.resourceVersion") {
		t.Errorf("dry-run update metadata: %v", up.get("metadata"))
	}
	if c := condition(up.obj, "status.parents.0.conditions", "Accepted"); c["observedGeneration"] != float64(2) {
		t.Errorf("dry-run status is not about the candidate: %v", c)
	}
	if got := e.do("GET", routePath, ""); got.get("metadata.generation") != float64(1) || got.str("spec.rules.0.matches.0.path.value") != "/" {
		t.Errorf("dry-run update changed the stored object:\n%s", got.raw)
	}
	// Dry-run delete deletes nothing.
	e.do("DELETE", routePath+"?dryRun=All", "").must(t, http.StatusOK)
	e.do("GET", routePath, "").must(t, http.StatusOK)
}

const applyStream = classYAML + "---\n" + gatewayYAML + "---\n# a comment-only document is no object\n---\n" + `
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 8080}]}}
- {apiVersion: v1, kind: Namespace, metadata: {name: team-a}}
`

func items(r resp) []map[string]any {
	list, _ := r.get("items").([]any)
	out := make([]map[string]any, len(list))
	for i, it := range list {
		out[i], _ = it.(map[string]any)
	}
	return out
}

func actions(r resp) string {
	var out []string
	for _, it := range items(r) {
		out = append(out, it["kind"].(string)+"="+it["action"].(string))
	}
	return strings.Join(out, " ")
}

func TestApply(t *testing.T) {
	e := startEnv(t, envOptions{})
	stream := applyStream + "---\n" + routeYAML("web", "/")
	r := e.do("POST", "/apply", stream, "Content-Type", "application/yaml").must(t, http.StatusOK)
	if got := actions(r); got != "GatewayClass=created Gateway=created Service=created Namespace=created HTTPRoute=created" {
		t.Errorf("first apply: %s", got)
	}
	if it := items(r)[2]; it["namespace"] != "default" || it["document"] != float64(2) || it["index"] != float64(0) || it["resourceVersion"] == "" {
		t.Errorf("List item report: %v", it)
	}
	for _, p := range []string{classPath, gwPath, routePath, "/api/v1/namespaces/default/services/web", "/api/v1/namespaces/team-a"} {
		e.do("GET", p, "").must(t, http.StatusOK)
	}

	again := e.do("POST", "/apply", stream).must(t, http.StatusOK)
	if got := actions(again); got != "GatewayClass=unchanged Gateway=unchanged Service=unchanged Namespace=unchanged HTTPRoute=unchanged" {
		t.Errorf("second apply: %s", got)
	}

	// One invalid object: nothing is written, and the report says which.
	before := e.do("GET", routePath, "")
	badGW := strings.Replace(gatewayYAML, "port: 8080", "port: 0", 1)
	bad := classYAML + "---\n" + badGW + "---\n" + routeYAML("web", "/v2")
	rej := e.do("POST", "/apply", bad).must(t, http.StatusUnprocessableEntity)
	if got := actions(rej); got != "GatewayClass=skipped Gateway=rejected HTTPRoute=skipped" {
		t.Errorf("apply with an invalid object: %s", got)
	}
	if st := items(rej)[1]["status"]; dig(st, "code") != float64(422) || !strings.Contains(toJSONString(st), "spec.listeners[0].port") {
		t.Errorf("the rejected item's status: %v", st)
	}
	if after := e.do("GET", routePath, ""); after.str("metadata.resourceVersion") != before.str("metadata.resourceVersion") {
		t.Error("a rejected apply wrote the valid objects")
	}

	// Unknown kinds and duplicates are rejected per object.
	dep := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
	mixed := routeYAML("web", "/v3") + "---\n" + dep + "---\n" + routeYAML("web", "/v4")
	m := e.do("POST", "/apply", mixed).must(t, http.StatusBadRequest)
	if got := actions(m); got != "HTTPRoute=skipped Deployment=rejected HTTPRoute=rejected" {
		t.Errorf("unknown kind and duplicate: %s", got)
	}
	if !strings.Contains(toJSONString(items(m)[2]["status"]), "also defined by document 0") {
		t.Errorf("duplicate report: %v", items(m)[2]["status"])
	}

	// Input that is not YAML fails as a whole, naming the document.
	u := e.do("POST", "/apply", classYAML+"---\nkind: [x\n").must(t, http.StatusBadRequest)
	if !strings.Contains(u.str("message"), "document 1") {
		t.Errorf("undecodable apply: %s", u.raw)
	}
	e.do("POST", "/apply", "# nothing\n").must(t, http.StatusBadRequest)
	e.do("GET", "/apply", "").must(t, http.StatusMethodNotAllowed)
}

// A dry-run apply translates all the candidates together.
func TestApplyDryRun(t *testing.T) {
	e := startEnv(t, envOptions{translator: true})
	stream := applyStream + "---\n" + routeYAML("web", "/")
	r := e.do("POST", "/apply?dryRun=All", stream).must(t, http.StatusOK)
	if got := actions(r); got != "GatewayClass=created Gateway=created Service=created Namespace=created HTTPRoute=created" {
		t.Errorf("dry-run apply: %s", got)
	}
	route := resp{obj: items(r)[4]["object"].(map[string]any)}
	if msg := accepted(route, "status.parents.0.conditions"); msg != "" {
		t.Errorf("the route would be accepted by the gateway applied with it: %s", msg)
	}
	if c := condition(route.obj, "status.parents.0.conditions", "ResolvedRefs"); c["status"] != "True" {
		t.Errorf("the route's Service is applied with it: %v", c)
	}
	gw := resp{obj: items(r)[1]["object"].(map[string]any)}
	if msg := accepted(gw, "status.conditions"); msg != "" {
		t.Errorf("gateway: %s", msg)
	}
	e.do("GET", classPath, "").must(t, http.StatusNotFound)
}
