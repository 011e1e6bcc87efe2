package server

import (
	"net/http"
	"strings"
	"testing"
)

// The API rejects what the CRDs' schemas and CEL rules reject, as
// kube-apiserver does, and stores nothing. (The validator's own table of 30+
// cases lives in resource/validation; this proves the API uses it.)
func TestInvalidObjectsAreRejected(t *testing.T) {
	e := startEnv(t, envOptions{})
	cases := []struct {
		name, path, body string
		field, message   string
	}{
		{
			name: "duplicate listener name", path: gwPath,
			body: strings.Replace(gatewayYAML, "  - {name: http, protocol: HTTP, port: 8080}",
				"  - {name: http, protocol: HTTP, port: 8080}\n  - {name: http, protocol: HTTP, port: 8081}", 1),
			field: "spec.listeners", message: "Listener name must be unique within the Gateway",
		},
		{
			name: "PathPrefix without a leading slash", path: routePath,
			body:  routeYAML("web", "api"),
			field: "spec.rules[0].matches[0].path", message: "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
		},
		{
			name: "wildcard in the middle of a hostname", path: routePath,
			body:  strings.Replace(routeYAML("web", "/"), "www.example.com", "www.*.example.com", 1),
			field: "spec.hostnames[0]", message: "should match",
		},
		{
			name: "hostname on a TCP listener", path: gwPath,
			body:  strings.Replace(gatewayYAML, "protocol: HTTP, port: 8080", "protocol: TCP, port: 8080, hostname: a.example.com", 1),
			field: "spec.listeners", message: "hostname must not be specified for protocols ['TCP', 'UDP']",
		},
		{
			name: "port out of range", path: routePath,
			body:  strings.Replace(routeYAML("web", "/"), "port: 8080", "port: 70000", 1),
			field: "spec.rules[0].backendRefs[0].port", message: "less than or equal to 65535",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("PUT", c.path, c.body).must(t, http.StatusUnprocessableEntity)
			if r.str("kind") != "Status" || r.str("reason") != "Invalid" {
				t.Errorf("not an Invalid Status:\n%s", r.raw)
			}
			found := false
			causes, _ := r.get("details.causes").([]any)
			for _, cause := range causes {
				m, _ := cause.(map[string]any)
				if m["field"] == c.field && strings.Contains(m["message"].(string), c.message) {
					found = true
				}
			}
			if !found {
				t.Errorf("no cause with field %q and message containing %q:\n%s", c.field, c.message, r.raw)
			}
			e.do("GET", c.path, "").must(t, http.StatusNotFound)
		})
	}
}

// An invalid update leaves the stored object alone.
func TestInvalidUpdateStoresNothing(t *testing.T) {
	e := startEnv(t, envOptions{})
	before := e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	e.do("PUT", routePath, routeYAML("web", "no-slash")).must(t, http.StatusUnprocessableEntity)
	after := e.do("GET", routePath, "").must(t, http.StatusOK)
	if after.str("metadata.resourceVersion") != before.str("metadata.resourceVersion") {
		t.Errorf("resourceVersion moved: %s -> %s", before.str("metadata.resourceVersion"), after.str("metadata.resourceVersion"))
	}
	list := e.do("GET", routesPath, "").must(t, http.StatusOK)
	if list.str("metadata.resourceVersion") != before.str("metadata.resourceVersion") {
		t.Errorf("the store revision moved to %s after a rejected write", list.str("metadata.resourceVersion"))
	}
}
