package main

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestRowOf(t *testing.T) {
	cases := []struct {
		name, obj                    string
		accepted, programmed, reason string
	}{
		{"gateway programmed", `
kind: Gateway
metadata: {name: gw, generation: 2}
status:
  conditions:
  - {type: Accepted, status: "True", reason: Accepted, observedGeneration: 2}
  - {type: Programmed, status: "True", reason: Programmed, observedGeneration: 2}`,
			"True", "True", "Programmed"},
		{"gateway not programmed", `
kind: Gateway
metadata: {name: gw, generation: 1}
status:
  conditions:
  - {type: Accepted, status: "True", reason: Accepted, observedGeneration: 1}
  - {type: Programmed, status: "False", reason: AddressNotAssigned, observedGeneration: 1}`,
			"True", "False", "AddressNotAssigned"},
		{"gateway status behind the spec", `
kind: Gateway
metadata: {name: gw, generation: 3}
status:
  conditions:
  - {type: Accepted, status: "True", reason: Accepted, observedGeneration: 2}`,
			"True", "-", "Pending"},
		{"route accepted by every parent", `
kind: HTTPRoute
metadata: {name: r}
status:
  parents:
  - parentRef: {name: a}
    conditions: [{type: Accepted, status: "True", reason: Accepted}, {type: ResolvedRefs, status: "True", reason: ResolvedRefs}]
  - parentRef: {name: b}
    conditions: [{type: Accepted, status: "True", reason: Accepted}]`,
			"True", "-", "Accepted"},
		{"route refused by one parent", `
kind: HTTPRoute
metadata: {name: r}
status:
  parents:
  - parentRef: {name: a}
    conditions: [{type: Accepted, status: "True", reason: Accepted}]
  - parentRef: {name: b}
    conditions: [{type: Accepted, status: "False", reason: NotAllowedByListeners}]`,
			"False", "-", "NotAllowedByListeners"},
		{"route with an unresolved backend", `
kind: HTTPRoute
metadata: {name: r}
status:
  parents:
  - parentRef: {name: a}
    conditions: [{type: Accepted, status: "True", reason: Accepted}, {type: ResolvedRefs, status: "False", reason: BackendNotFound}]`,
			"True", "-", "BackendNotFound"},
		{"route nobody has looked at", `
kind: HTTPRoute
metadata: {name: r}
status: {parents: []}`,
			"Unknown", "-", "NoParentStatus"},
		{"kind without status", `
kind: Service
metadata: {name: s}`,
			"-", "-", "-"},
	}
	for _, c := range cases {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(c.obj), &u.Object); err != nil {
			t.Fatal(err)
		}
		// Numbers as a server's answer has them.
		js, _ := u.MarshalJSON()
		if err := u.UnmarshalJSON(js); err != nil {
			t.Fatal(err)
		}
		r := rowOf(u)
		if r.Accepted != c.accepted || r.Programmed != c.programmed || r.Reason != c.reason {
			t.Errorf("%s: got %s/%s/%s, want %s/%s/%s", c.name, r.Accepted, r.Programmed, r.Reason, c.accepted, c.programmed, c.reason)
		}
	}
}
