package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const listenerSetPath = gwv1 + "/namespaces/default/listenersets/team"

// A ListenerSet goes through the Config Server like any kind: validated
// against its CRD, published to the translator, and its status (the
// set's conditions, its listeners', and the Gateway's count of attached
// sets) written back; a route attaches to it by parentRef kind ListenerSet.
func TestListenerSetStatusWriteBack(t *testing.T) {
	e := startEnv(t, envOptions{translator: true})
	e.do("PUT", classPath, classYAML).must(t, http.StatusCreated)
	e.do("PUT", gwPath, `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  allowedListeners: {namespaces: {from: Same}}
  listeners:
  - {name: http, protocol: HTTP, port: 8080, hostname: gw.example.com}
`).must(t, http.StatusCreated)
	e.do("PUT", listenerSetPath, `
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: default}
spec:
  parentRef: {name: gw}
  listeners:
  - {name: team, protocol: HTTP, port: 8080, hostname: team.example.com}
`).must(t, http.StatusCreated)
	e.do("PUT", routePath, `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: default}
spec:
  parentRefs: [{kind: ListenerSet, name: team, sectionName: team}]
  rules:
  - backendRefs: [{name: web, port: 8080}]
`).must(t, http.StatusCreated)

	eventually(t, "ListenerSet accepted", func() string { return accepted(e.do("GET", listenerSetPath, ""), "status.conditions") })
	eventually(t, "listener of the set attached the route", func() string {
		ls := e.do("GET", listenerSetPath, "")
		if n := ls.get("status.listeners.0.attachedRoutes"); n != float64(1) {
			return fmt.Sprintf("attachedRoutes %v in %s", n, ls.raw)
		}
		return accepted(ls, "status.listeners.0.conditions")
	})
	eventually(t, "Gateway counts the set", func() string {
		if n := e.do("GET", gwPath, "").get("status.attachedListenerSets"); n != float64(1) {
			return fmt.Sprintf("attachedListenerSets = %v", n)
		}
		return ""
	})
	eventually(t, "route accepted by the set", func() string {
		route := e.do("GET", routePath, "")
		if route.str("status.parents.0.parentRef.kind") != "ListenerSet" {
			return "route parent status: " + string(route.raw)
		}
		return accepted(route, "status.parents.0.conditions")
	})

	// The Gateway stops allowing sets: the set is NotAllowed.
	e.do("PUT", gwPath, `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: 8080, hostname: gw.example.com}
`).must(t, http.StatusOK)
	eventually(t, "ListenerSet NotAllowed", func() string {
		c := condition(e.do("GET", listenerSetPath, "").obj, "status.conditions", "Accepted")
		if c == nil || c["status"] != "False" || c["reason"] != "NotAllowed" {
			return "Accepted is " + toJSONString(c)
		}
		return ""
	})

	// Without its Gateway the set is nobody's: its status goes back to
	// the CRD's default.
	e.do("DELETE", gwPath, "").must(t, http.StatusOK)
	eventually(t, "ListenerSet disowned", func() string {
		ls := e.do("GET", listenerSetPath, "")
		if c := condition(ls.obj, "status.conditions", "Accepted"); c == nil || c["status"] != "Unknown" || c["reason"] != "Pending" {
			return "Accepted is " + toJSONString(c)
		}
		if l := ls.get("status.listeners"); l != nil {
			return fmt.Sprintf("listeners left: %v", l)
		}
		return ""
	})
}

// The CRD's CEL rules hold for ListenerSets as for Gateways.
func TestListenerSetValidation(t *testing.T) {
	e := startEnv(t, envOptions{})
	r := e.do("PUT", listenerSetPath, `
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: default}
spec:
  parentRef: {name: gw}
  listeners:
  - {name: a, protocol: HTTP, port: 8080}
  - {name: a, protocol: HTTP, port: 8081}
`).must(t, http.StatusUnprocessableEntity)
	if msg := r.str("message"); !strings.Contains(msg, "spec.listeners") {
		t.Errorf("error does not name the field: %s", msg)
	}
}
