package validation

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// StatusFor answers as kube-apiserver does: 422, reason Invalid, a message
// naming kind, group and object, and one cause per error with its path.
func TestStatusFor(t *testing.T) {
	v := validator(t)
	res, err := v.Create(mustYAML(t, gateway(`
  - {name: http, protocol: HTTP, port: 80}
  - {name: http, protocol: HTTP, port: 0}
`)))
	if err != nil || len(res.Errors) == 0 {
		t.Fatalf("want errors: %v %v", err, res.Errors)
	}
	st := StatusFor(schema.GroupKind{Group: "gateway.networking.k8s.io", Kind: "Gateway"}, "gw", res.Errors)

	if st.Status != metav1.StatusFailure || st.Code != http.StatusUnprocessableEntity || st.Reason != metav1.StatusReasonInvalid {
		t.Errorf("status %s code %d reason %s", st.Status, st.Code, st.Reason)
	}
	if prefix := `Gateway.gateway.networking.k8s.io "gw" is invalid: [`; !strings.HasPrefix(st.Message, prefix) {
		t.Errorf("message %q lacks prefix %q", st.Message, prefix)
	}
	if d := st.Details; d == nil || d.Name != "gw" || d.Group != "gateway.networking.k8s.io" || d.Kind != "Gateway" {
		t.Fatalf("details %+v", st.Details)
	}
	if len(st.Details.Causes) != len(res.Errors) {
		t.Fatalf("%d causes for %d errors", len(st.Details.Causes), len(res.Errors))
	}
	for i, c := range st.Details.Causes {
		e := res.Errors[i]
		if c.Field != e.Field || c.Message != e.ErrorBody() || string(c.Type) != string(e.Type) {
			t.Errorf("cause %d = %+v, want field %s type %s message %q", i, c, e.Field, e.Type, e.ErrorBody())
		}
	}
	want := map[string]string{
		"spec.listeners[1].port": "Invalid value: 0: spec.listeners[1].port in body should be greater than or equal to 1",
		"spec.listeners[1]":      `Duplicate value: {"name":"http"}`,
	}
	for _, c := range st.Details.Causes {
		if msg, ok := want[c.Field]; ok && c.Message == msg {
			delete(want, c.Field)
		}
	}
	if len(want) > 0 {
		t.Errorf("causes %+v lack %v", st.Details.Causes, want)
	}

	// The wire form is a Status object, as kubectl expects it.
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"kind":"Status"`, `"apiVersion":"v1"`, `"reason":"Invalid"`, `"code":422`, `"reason":"FieldValueInvalid","message":"Invalid value: 0: `} {
		if !strings.Contains(string(data), key) {
			t.Errorf("wire form %s lacks %s", data, key)
		}
	}
}
