package crdschema

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"backendRefs": "backend_refs", "caCertificateRefs": "ca_certificate_refs", "URLRewrite": "url_rewrite",
		"port": "port", "sectionName": "section_name", "http2": "http2", "requestMirrorHTTP": "request_mirror_http",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every kind's schema builds, and a route round-trips through Terraform
// values with its defaults applied as the server would.
func TestHTTPRouteRoundTripWithDefaults(t *testing.T) {
	k, err := Load("HTTPRoute")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := Build("spec", "spec", k.Schema.Properties["spec"])
	if err != nil {
		t.Fatal(err)
	}
	if n := spec.Attr("hostnames"); n == nil || n.Kind != Set {
		t.Errorf("hostnames should be a set, got %+v", n)
	}
	if n := spec.Attr("rules"); n == nil || n.Kind != List {
		t.Errorf("rules are ordered, got %+v", n)
	}
	in := map[string]any{"rules": []any{map[string]any{"backendRefs": []any{map[string]any{"name": "b", "port": int64(80)}}}}}
	got := spec.ApplyDefaults(in).(map[string]any)
	rule := got["rules"].([]any)[0].(map[string]any)
	wantMatches := []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}}
	if !reflect.DeepEqual(rule["matches"], wantMatches) {
		t.Errorf("default matches = %v, want %v", rule["matches"], wantMatches)
	}
	v, err := spec.FromJSON(got)
	if err != nil {
		t.Fatal(err)
	}
	back, ok, err := spec.ToJSON(v)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	// Compared as JSON: defaults decode as float64, Terraform integers as int64.
	bj, _ := json.Marshal(back)
	gj, _ := json.Marshal(got)
	if string(bj) != string(gj) {
		t.Errorf("round trip:\n got %s\nwant %s", bj, gj)
	}
}

func TestEveryKindBuilds(t *testing.T) {
	for _, kind := range []string{"GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "ReferenceGrant", "Backend", "EnvoyFleet"} {
		k, err := Load(kind)
		if err != nil {
			t.Fatal(err)
		}
		for name, s := range k.Schema.Properties {
			n, err := Build(name, name, s)
			if err != nil {
				t.Errorf("%s.%s: %v", kind, name, err)
				continue
			}
			if _, err := n.ResourceAttributes(name == "status"); err != nil {
				t.Errorf("%s.%s: %v", kind, name, err)
			}
		}
	}
}
