package resource

import (
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: foo
`

// TestDecodeErrors covers every class of input error. Each want is the
// start of one error's message, in order; the full message is compared
// where it is short enough to write down.
func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
		kept int // objects that still decode
	}{
		{"yaml syntax, line is in the file", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# c\nfoo: [\n", []string{
			"f.yaml:6: document 1: invalid YAML: did not find expected node content"}, 1},
		{"duplicate yaml key", route + "  name: bar\n", []string{
			`f.yaml:5: document 0: invalid YAML: key "name" already set in map`}, 0},
		{"scalar document", "just a string\n", []string{
			"f.yaml:1: document 0: expected an object with apiVersion and kind, got a string"}, 0},
		{"missing apiVersion and kind", "metadata: {name: x}\n", []string{
			"f.yaml:1: document 0 (name x): apiVersion: Required value",
			"f.yaml:1: document 0 (name x): kind: Required value"}, 0},
		{"keys are case-sensitive", "apiVersion: v1\nKind: Namespace\nmetadata: {name: a}\n", []string{
			"f.yaml:1: document 0 (name a): kind: Required value"}, 0},
		{"apiVersion not a string", "apiVersion: 1\nkind: HTTPRoute\n", []string{
			`f.yaml:1: document 0 (HTTPRoute): apiVersion: Invalid value: "1": must be a string`}, 0},
		{"malformed apiVersion", "apiVersion: a/b/c\nkind: HTTPRoute\n", []string{
			`f.yaml:1: document 0 (HTTPRoute): apiVersion: Invalid value: "a/b/c": must be "group/version"`}, 0},
		{"unsupported version of a known kind", strings.Replace(route, "/v1", "/v1alpha2", 1), []string{
			`f.yaml:1: document 0 (HTTPRoute foo): apiVersion: Unsupported value: "gateway.networking.k8s.io/v1alpha2": supported values: "gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"`}, 0},
		{"unknown field, nested, with indices", route + "spec:\n  rules:\n  - {}\n  - matches:\n    - path: {type: Exact, value: /}\n    - path:\n        typo: 1\n", []string{
			"f.yaml:11: document 0 (HTTPRoute default/foo): spec.rules[1].matches[1].path.typo: unknown field"}, 0},
		{"unknown top-level field", route + "sepc: {}\n", []string{
			"f.yaml:5: document 0 (HTTPRoute default/foo): sepc: unknown field"}, 0},
		{"wrong type, nested, with indices", route + "spec:\n  rules:\n  - backendRefs:\n    - name: a\n      port: 80\n    - name: b\n      port: \"80\"\n", []string{
			"f.yaml:11: document 0 (HTTPRoute default/foo): spec.rules[0].backendRefs[1].port: Invalid type: expected integer (int32), got string"}, 0},
		{"wrong type, object for string", route + "spec:\n  hostnames:\n  - {a: b}\n", []string{
			"f.yaml:7: document 0 (HTTPRoute default/foo): spec.hostnames[0]: Invalid type: expected string, got object"}, 0},
		{"missing name", "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {namespace: x}\n", []string{
			"f.yaml:3: document 0 (Gateway x/): metadata.name: Required value: name is required"}, 0},
		{"name not a DNS subdomain", strings.Replace(route, "foo", "Foo_1", 1), []string{
			`f.yaml:4: document 0 (HTTPRoute default/Foo_1): metadata.name: Invalid value: "Foo_1": a lowercase RFC 1123 subdomain`}, 0},
		{"service name must be a DNS-1035 label", "apiVersion: v1\nkind: Service\nmetadata: {name: a.b}\n", []string{
			`f.yaml:3: document 0 (Service default/a.b): metadata.name: Invalid value: "a.b": a DNS-1035 label`}, 0},
		{"namespace name must be a DNS label", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n", []string{
			`f.yaml:3: document 0 (Namespace a.b): metadata.name: Invalid value: "a.b": must not contain dots`}, 0},
		{"invalid namespace", route + "  namespace: NS\n", []string{
			`f.yaml:5: document 0 (HTTPRoute NS/foo): metadata.namespace: Invalid value: "NS": a lowercase RFC 1123 label`}, 0},
		{"cluster-scoped kind with a namespace", "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: eg\n  namespace: default\nspec: {controllerName: a.b/c}\n", []string{
			"f.yaml:5: document 0 (GatewayClass default/eg): metadata.namespace: Forbidden: not allowed on this type"}, 0},
		{"invalid label", route + "  labels: {\"a b\": x}\n", []string{
			`f.yaml:5: document 0 (HTTPRoute default/foo): metadata.labels: Invalid value: "a b": name part must consist of`}, 0},
		{"same object twice", route + "---\n" + route + "  namespace: default\n", []string{
			"f.yaml:6: document 1 (HTTPRoute default/foo): already defined in document 0 (line 1); this definition is ignored"}, 1},
		{"list holding a list", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items: []\n", []string{
			"f.yaml:4: document 0, item 0 (List): a List cannot hold another list"}, 0},
		{"list item not an object", "apiVersion: v1\nkind: List\nitems:\n- 3\n", []string{
			"f.yaml:4: document 0, item 0: expected an object with apiVersion and kind, got a number"}, 0},
		{"list items not an array", "apiVersion: v1\nkind: List\nitems: {a: 1}\n", []string{
			"f.yaml:3: document 0 (List): items: Invalid value: expected an array of objects, got an object"}, 0},
		{"error inside a list item points at the item's field", "apiVersion: v1\nkind: List\nitems:\n- " +
			strings.ReplaceAll(route, "\n", "\n  ") + "spec: {parentRefs: [{port: x}]}\n", []string{
			"f.yaml:8: document 0, item 0 (HTTPRoute default/foo): spec.parentRefs[0].port: Invalid type: expected integer (int32), got string"}, 0},
		{"typed list item", "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRouteList\nitems:\n- metadata: {name: a}\n  spec: {bogus: 1}\n", []string{
			"f.yaml:5: document 0, item 0 (HTTPRoute default/a): spec.bogus: unknown field"}, 0},
		{"json array item", `[{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": "x"}]}}]`, []string{
			"f.yaml:1: document 0, item 0 (Service default/s): spec.ports[0].port: Invalid type: expected integer (int32), got string"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, _, errs := Decode([]byte(tc.in), "f.yaml")
			checkErrors(t, errs, tc.want)
			if res.Len() != tc.kept {
				t.Errorf("kept %d objects, want %d", res.Len(), tc.kept)
			}
		})
	}
}

func checkErrors(t *testing.T, errs []error, want []string) {
	t.Helper()
	for i, err := range errs {
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("error %d is %T, not *Error: %v", i, err, err)
		}
		if i >= len(want) || !strings.HasPrefix(err.Error(), want[i]) {
			t.Errorf("error %d:\n got  %s", i, err)
			if i < len(want) {
				t.Errorf(" want %s...", want[i])
			}
		}
	}
	if len(errs) < len(want) {
		t.Errorf("got %d errors, want %d; missing: %q", len(errs), len(want), want[len(errs):])
	}
}

func TestBackendAddresses(t *testing.T) {
	cases := []struct {
		addr string
		want string // "" for valid
	}{
		{"10.0.0.1:8080", ""},
		{"[2001:db8::1]:443", ""},
		{"backend.example.com:80", ""},
		{"localhost:65535", ""},
		{"10.0.0.1", `must be "IP:port" or "hostname:port"`},
		{":80", `must be "IP:port" or "hostname:port"`},
		{"2001:db8::1:443", `must be "IP:port" or "hostname:port"`},
		{"10.0.0.1:0", "port must be a number from 1 to 65535"},
		{"10.0.0.1:65536", "port must be a number from 1 to 65535"},
		{"10.0.0.1:http", "port must be a number from 1 to 65535"},
		{"10.0.0.1:-1", "port must be a number from 1 to 65535"},
		{"[fe80::1%eth0]:80", "an IPv6 zone is not allowed"},
		{"0.0.0.0:80", "an unspecified address (0.0.0.0) cannot be connected to"},
		{"Backend.Example.com:80", "host must be an IP address or a DNS name"},
		{"under_score:80", "host must be an IP address or a DNS name"},
		{"10.0.0:80", "host is neither a valid IP address nor a DNS name"},
	}
	for _, tc := range cases {
		t.Run(tc.addr, func(t *testing.T) {
			in := "apiVersion: envoygateway.dev/v1alpha1\nkind: Backend\nmetadata: {name: b}\nspec:\n  endpoints:\n  - address: \"127.0.0.1:1\"\n  - address: \"" + tc.addr + "\"\n"
			res, _, errs := Decode([]byte(in), "b.yaml")
			if tc.want == "" {
				checkErrors(t, errs, nil)
				if len(res.Backends) != 1 || res.Backends[0].Spec.Endpoints[1].Address != tc.addr {
					t.Fatalf("backend not decoded: %+v", res.Backends)
				}
				return
			}
			checkErrors(t, errs, []string{`b.yaml:7: document 0 (Backend default/b): spec.endpoints[1].address: Invalid value: "` + tc.addr + `": ` + tc.want})
		})
	}
	t.Run("no endpoints", func(t *testing.T) {
		in := "apiVersion: envoygateway.dev/v1alpha1\nkind: Backend\nmetadata: {name: b}\nspec: {endpoints: []}\n"
		_, _, errs := Decode([]byte(in), "b.yaml")
		checkErrors(t, errs, []string{"b.yaml:4: document 0 (Backend default/b): spec.endpoints: Required value: a Backend needs at least one endpoint"})
	})
}

// TestValidatorHook checks what a plugged-in Validator sees and that what
// it returns is used: its defaults reach the decoded object, and its field
// errors are located like the decoder's own.
func TestValidatorHook(t *testing.T) {
	var seen []map[string]any
	d := &Decoder{Validator: ValidatorFunc(func(obj map[string]any) (map[string]any, field.ErrorList) {
		seen = append(seen, obj)
		if obj["kind"] != KindHTTPRoute {
			return nil, nil
		}
		spec := obj["spec"].(map[string]any)
		if h, ok := spec["hostnames"].([]any); ok && h[0] == "bad.example" {
			return nil, field.ErrorList{field.Invalid(field.NewPath("spec", "hostnames").Index(0), h[0], "rejected by test")}
		}
		spec["hostnames"] = []any{"defaulted.example"}
		return obj, nil
	})}
	in := "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\n" +
		"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: HTTPRoute\nmetadata: {name: ok}\nspec:\n  parentRefs: [{name: gw, port: 8080}]\n---\n" +
		route + "spec:\n  hostnames:\n  - bad.example\n"
	res, _, errs := d.Decode([]byte(in), "v.yaml")
	checkErrors(t, errs, []string{`v.yaml:17: document 2 (HTTPRoute default/foo): spec.hostnames[0]: Invalid value: "bad.example": rejected by test`})
	if len(seen) != 3 {
		t.Fatalf("validator saw %d objects, want 3", len(seen))
	}
	ok := seen[1]
	if ok["apiVersion"] != "gateway.networking.k8s.io/v1" || ok["metadata"].(map[string]any)["namespace"] != "default" {
		t.Errorf("validator got apiVersion %v, metadata %v; want canonical v1 and the default namespace", ok["apiVersion"], ok["metadata"])
	}
	if port := ok["spec"].(map[string]any)["parentRefs"].([]any)[0].(map[string]any)["port"]; port != int64(8080) {
		t.Errorf("port reached the validator as %T %v, want int64 as the API server decodes it", port, port)
	}
	if len(res.Namespaces) != 1 || len(res.HTTPRoutes) != 1 {
		t.Fatalf("got %d namespaces, %d routes; want 1 and 1", len(res.Namespaces), len(res.HTTPRoutes))
	}
	if h := res.HTTPRoutes[0].Spec.Hostnames; len(h) != 1 || h[0] != "defaulted.example" {
		t.Errorf("the validator's defaults were not kept: hostnames %v", h)
	}
}

// TestValidatorErrorsWin checks that a built-in check on a field the
// Validator also rejects is not reported twice.
func TestValidatorErrorsWin(t *testing.T) {
	d := &Decoder{Validator: ValidatorFunc(func(obj map[string]any) (map[string]any, field.ErrorList) {
		return nil, field.ErrorList{field.Invalid(field.NewPath("spec", "endpoints").Index(0).Child("address"), "x", "schema says no")}
	})}
	in := "apiVersion: envoygateway.dev/v1alpha1\nkind: Backend\nmetadata: {name: B}\nspec:\n  endpoints:\n  - address: nope\n"
	_, _, errs := d.Decode([]byte(in), "b.yaml")
	checkErrors(t, errs, []string{
		`b.yaml:6: document 0 (Backend default/B): spec.endpoints[0].address: Invalid value: "x": schema says no`,
		`b.yaml:3: document 0 (Backend default/B): metadata.name: Invalid value: "B"`,
	})
}
