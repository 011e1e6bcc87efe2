package main

import (
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// countingValidator counts which way the decoder asked newDecoder's
// validator: ValidateUnknown is the shortcut, Validate the
// straightforward path.
type countingValidator struct {
	crdValidator
	shortcut, straight *atomic.Int64
}

func (c countingValidator) Validate(obj map[string]any) (map[string]any, field.ErrorList) {
	c.straight.Add(1)
	return c.crdValidator.Validate(obj)
}

func (c countingValidator) ValidateUnknown(obj map[string]any) (map[string]any, []string, field.ErrorList) {
	c.shortcut.Add(1)
	return c.crdValidator.ValidateUnknown(obj)
}

// decodeBothWays decodes data with newDecoder's validator, which lets the
// decoder validate before its one strict decode, and with ForDecoder's
// hook, which takes the straightforward path (strict decode, validate,
// decode the validator's output), and fails unless objects, skipped kinds
// and errors are the same.
func decodeBothWays(t *testing.T, v *validation.Validator, name string, data []byte) (shortcut, straight int64) {
	t.Helper()
	dec, err := newDecoder()
	if err != nil {
		t.Fatal(err)
	}
	var a, b atomic.Int64
	fast := &resource.Decoder{Validator: countingValidator{dec.Validator.(crdValidator), &a, &b}}
	gotRes, gotSkipped, gotErrs := fast.Decode(data, name)
	wantRes, wantSkipped, wantErrs := (&resource.Decoder{Validator: v.ForDecoder()}).Decode(data, name)
	if !reflect.DeepEqual(gotRes, wantRes) {
		t.Errorf("%s: objects differ from the straightforward path's", name)
	}
	if !reflect.DeepEqual(gotSkipped, wantSkipped) {
		t.Errorf("%s: skipped %v, straightforward path %v", name, gotSkipped, wantSkipped)
	}
	if g, w := errorStrings(gotErrs), errorStrings(wantErrs); !reflect.DeepEqual(g, w) {
		t.Errorf("%s: errors\n%q\nstraightforward path\n%q", name, g, w)
	}
	return a.Load(), b.Load()
}

func errorStrings(errs []error) []string {
	var s []string
	for _, e := range errs {
		s = append(s, e.Error())
	}
	return s
}

func TestShortcutDecodesValidManifestsAlike(t *testing.T) {
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "routes.yaml")
	if err := workload.Generate(300, 7).WriteYAMLFile(file); err != nil {
		t.Fatal(err)
	}
	files := []string{file}
	for _, glob := range []string{"../../../examples/quickstart/*.yaml", "../../resource/testdata/conformance/*.yaml", "../../resource/testdata/decode/*.in.yaml"} {
		m, _ := filepath.Glob(glob)
		if len(m) == 0 {
			t.Fatalf("no files match %s", glob)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		shortcut, straight := decodeBothWays(t, v, f, data)
		if f == file && (straight != 0 || shortcut == 0) {
			t.Errorf("%s: %d objects took the shortcut, %d the straightforward path; want all valid objects to take the shortcut", f, shortcut, straight)
		}
	}
}

// Every way a document can fail the first strict decode or validation
// while the validator's output might still decode: the shortcut must give
// up and report exactly what the straightforward path reports.
func TestShortcutGivesUpOnProblems(t *testing.T) {
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	route := func(meta, spec, extra string) string {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n" + meta +
			"spec:\n  parentRefs:\n  - name: gw\n  rules:\n  - backendRefs:\n    - name: svc\n      port: 80\n" + spec + extra
	}
	cases := map[string]string{
		"valid":                  route("  name: r\n", "", ""),
		"unknown spec field":     route("  name: r\n", "  unexpected: 1\n", ""),
		"unknown nested field":   route("  name: r\n", "  - matches:\n    - path: {value: /x, extra: 1}\n", ""),
		"unknown metadata field": route("  name: r\n  extra: 1\n", "", ""),
		"unknown top field":      route("  name: r\n", "", "extra: 1\n"),
		"field in other case":    route("  name: r\n", "  Hostnames: [a.example.com]\n", ""),
		"status of wrong type":   route("  name: r\n", "", "status: {parents: 5}\n"),
		"status of right type":   route("  name: r\n", "", "status: {parents: []}\n"),
		"status null":            route("  name: r\n", "", "status: null\n"),
		"namespace a number":     route("  name: r\n  namespace: 5\n", "", ""),
		"namespace null":         route("  name: r\n  namespace: null\n", "", ""),
		"namespace given":        route("  name: r\n  namespace: apps\n", "", ""),
		"labels of wrong type":   route("  name: r\n  labels: {a: 1}\n", "", ""),
		"generation a string":    route("  name: r\n  generation: \"2\"\n", "", ""),
		"no name":                route("  labels: {a: b}\n", "", ""),
		"null field":             route("  name: r\n", "  hostnames: null\n", ""),
		"port a string":          "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {rules: [{backendRefs: [{name: s, port: \"80\"}]}]}\n",
		"port a fraction":        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {rules: [{backendRefs: [{name: s, port: 80.5}]}]}\n",
		"port too large":         "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {rules: [{backendRefs: [{name: s, port: 99999999999}]}]}\n",
		"weight too large":       "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {rules: [{backendRefs: [{name: s, port: 80, weight: 4294967296}]}]}\n",
		"metadata a list":        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: [a]\nspec: {}\n",
		"metadata null":          "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: null\nspec: {}\n",
		"spec a string":          "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: x\n",
		"cluster-scoped with namespace": "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: c, namespace: x}\n" +
			"spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}\n",
		"gateway unknown field": "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\n" +
			"spec: {gatewayClassName: c, listeners: [{name: h, port: 80, protocol: HTTP, bogus: true}]}\n",
		"service":                "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n",
		"service unknown field":  "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, bogus: 1}]}\n",
		"service status":         "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\nstatus: {loadBalancer: 5}\n",
		"namespace object":       "apiVersion: v1\nkind: Namespace\nmetadata: {name: n, labels: {a: b}}\n",
		"namespace object extra": "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\nspec: {bogus: 1}\n",
		"endpointslice":          "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e, labels: {kubernetes.io/service-name: s}}\naddressType: IPv4\nendpoints: [{addresses: [10.0.0.1]}]\nports: [{port: 80}]\n",
		"endpointslice bad type": "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints: [{addresses: 10.0.0.1}]\n",
		"backend":                "apiVersion: envoygateway.dev/v1alpha1\nkind: Backend\nmetadata: {name: b}\nspec: {endpoints: [{ip: {address: 10.0.0.1, port: 80}}]}\n",
		"backend unknown field":  "apiVersion: envoygateway.dev/v1alpha1\nkind: Backend\nmetadata: {name: b}\nspec: {endpoints: [{ip: {address: 10.0.0.1, port: 80}, bogus: 1}]}\n",
		"list": "apiVersion: v1\nkind: List\nitems:\n- " + "apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n  spec: {ports: [{port: 80}]}\n" +
			"- apiVersion: v1\n  kind: Service\n  metadata: {name: t, bogus: 1}\n",
	}
	for name, doc := range cases {
		// Twice, so that the second copy is reported as a duplicate after
		// whatever the first reports.
		decodeBothWays(t, v, name+".yaml", []byte(doc+"---\n"+doc))
	}
}
