package resource

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite golden files")

func keysOf(r *Resources) []string {
	var out []string
	r.Walk(func(k Key, _ Object) bool {
		out = append(out, k.String())
		return true
	})
	return out
}

// TestDecodeFormats covers the shapes an input may take.
func TestDecodeFormats(t *testing.T) {
	ns := func(name string) string { return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n" }
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"comments only", "# nothing\n---\n# here\n", nil},
		{"null documents", "---\nnull\n---\n~\n", nil},
		{"one document", ns("a"), []string{"Namespace a"}},
		{"preamble and trailing separator", "# header\n---\n" + ns("a") + "---\n" + ns("b") + "---\n", []string{"Namespace a", "Namespace b"}},
		{"separator with comment", ns("a") + "--- # next\n" + ns("b"), []string{"Namespace a", "Namespace b"}},
		{"CRLF and BOM", "\xef\xbb\xbf" + strings.ReplaceAll(ns("a")+"---\n"+ns("b"), "\n", "\r\n"), []string{"Namespace a", "Namespace b"}},
		{"JSON object", `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}`, []string{"Namespace a"}},
		{"JSON array", `[{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},` + "\n" +
			`{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "a"}}]`, []string{"Namespace a", "Service a/s"}},
		{"List", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n",
			[]string{"Namespace a", "Service default/s"}},
		{"empty List", "apiVersion: v1\nkind: List\n", nil},
		{"typed list", "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRouteList\nitems:\n- metadata: {name: a}\n- metadata: {name: b, namespace: x}\n",
			[]string{"HTTPRoute default/a", "HTTPRoute x/b"}},
		{"content after the separator", "--- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n", []string{"Namespace a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, sk, errs := Decode([]byte(tc.in), "f")
			checkErrors(t, errs, nil)
			if got := keysOf(res); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if len(sk) != 0 {
				t.Errorf("skipped %v", sk)
			}
		})
	}
}

func TestDecodeCanonicalForm(t *testing.T) {
	in := `apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata: {name: r}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: example.com/c}
`
	res, _, errs := Decode([]byte(in), "f")
	checkErrors(t, errs, nil)
	if len(res.HTTPRoutes) != 1 || len(res.GatewayClasses) != 1 {
		t.Fatalf("got %q", keysOf(res))
	}
	r, gc := res.HTTPRoutes[0], res.GatewayClasses[0]
	if r.APIVersion != "gateway.networking.k8s.io/v1" || r.Kind != "HTTPRoute" || r.Namespace != "default" {
		t.Errorf("route: apiVersion %q kind %q namespace %q", r.APIVersion, r.Kind, r.Namespace)
	}
	if gc.APIVersion != "gateway.networking.k8s.io/v1" || gc.Namespace != "" {
		t.Errorf("class: apiVersion %q namespace %q", gc.APIVersion, gc.Namespace)
	}
}

func TestDecodeSkipped(t *testing.T) {
	in := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n---\n" +
		"apiVersion: apps/v1\nkind: Deployment\nspec: {whatever: 1}\n---\n" +
		"apiVersion: gateway.networking.k8s.io/v1\nkind: XListenerSet\nmetadata: {name: g}\n---\n" +
		"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: c}}\n"
	res, sk, errs := Decode([]byte(in), "f")
	checkErrors(t, errs, nil)
	want := Skipped{"apps/v1 Deployment": 2, "gateway.networking.k8s.io/v1 XListenerSet": 1, "v1 Pod": 1}
	if res.Len() != 0 || len(sk) != len(want) {
		t.Fatalf("got %d objects, skipped %v; want none and %v", res.Len(), sk, want)
	}
	for k, n := range want {
		if sk[k] != n {
			t.Errorf("skipped[%q] = %d, want %d", k, sk[k], n)
		}
	}
}

func TestSplitDocuments(t *testing.T) {
	in := "# preamble\n\n---\na: 1\n---\n\n# blank\n---\nb: 2\n--- c: 3\n---x: no separator\n"
	var got []string
	for _, d := range splitDocuments([]byte(in)) {
		got = append(got, fmt.Sprintf("%d/%d/%d", d.index, d.line, d.firstLine))
	}
	// index/line/firstLine: the blank preamble takes no index, the blank
	// document between takes one, and "---x" is content, not a separator.
	want := []string{"0/3/4", "2/8/9", "3/10/10"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestConformanceManifests decodes manifests of the Gateway API conformance
// suite: real-world input, which must decode without an error. The expected
// counts are taken from the files' own top-level "kind:" lines.
func TestConformanceManifests(t *testing.T) {
	files, err := filepath.Glob("testdata/conformance/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			res, sk, errs := LoadFiles(f)
			checkErrors(t, errs, nil)
			got := map[string]int{}
			res.Walk(func(k Key, _ Object) bool { got[k.Kind]++; return true })
			for k, n := range sk {
				got[k[strings.LastIndexByte(k, ' ')+1:]] += n
			}
			want := kindLines(t, f)
			for k, n := range want {
				if got[k] != n {
					t.Errorf("%s: got %d, file has %d", k, got[k], n)
				}
			}
			if res.Len() == 0 {
				t.Error("nothing decoded")
			}
		})
	}
}

var kindLine = regexp.MustCompile(`^kind: (\w+)\s*$`)

func kindLines(t *testing.T, file string) map[string]int {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if m := kindLine.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]]++
		}
	}
	return out
}

// TestGolden decodes testdata/decode/*.in.yaml and compares the objects,
// skipped kinds and errors with *.out.yaml (-update rewrites them).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/decode/*.in.yaml")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			res, sk, errs := Decode(data, filepath.Base(in))
			out := struct {
				Errors  []string `json:"errors"`
				Skipped Skipped  `json:"skipped"`
				Objects []Object `json:"objects"`
			}{Skipped: sk}
			for _, e := range errs {
				out.Errors = append(out.Errors, e.Error())
			}
			res.Walk(func(_ Key, o Object) bool { out.Objects = append(out.Objects, o); return true })
			got, err := yaml.Marshal(out)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".in.yaml") + ".out.yaml"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the output; run with -update and review the diff:\n%s", golden, got)
			}
		})
	}
}
