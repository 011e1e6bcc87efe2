package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

const (
	validFile   = "testdata/client/valid.yaml"
	invalidFile = "testdata/client/invalid.yaml"
)

func validateJSON(t *testing.T, stdin string, args ...string) ([]validationResult, error) {
	t.Helper()
	out, _, err := runCLI(t, stdin, append([]string{"validate", "-o", "json"}, args...)...)
	var results []validationResult
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r validationResult
		if jerr := json.Unmarshal(sc.Bytes(), &r); jerr != nil {
			t.Fatalf("line %q is not a JSON object: %v", sc.Text(), jerr)
		}
		results = append(results, r)
	}
	return results, err
}

func TestValidateValid(t *testing.T) {
	out, _, err := runCLI(t, "", "validate", "-f", validFile)
	if err != nil {
		t.Fatalf("valid manifests: %v (exit 1)\n%s", err, out)
	}
	if n := strings.Count(out, ": valid\n"); n != 4 {
		t.Fatalf("want 4 valid objects, got:\n%s", out)
	}
	results, err := validateJSON(t, "", "-f", validFile)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GatewayClass /eg", "Gateway team-a/gw", "HTTPRoute team-a/shop", "Service team-a/shop"}
	for i, r := range results {
		if !r.Valid || r.Status != nil || r.Kind+" "+r.Namespace+"/"+r.Name != want[i] {
			t.Errorf("object %d: %+v, want valid %s", i, r, want[i])
		}
	}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d", len(results), len(want))
	}
	if results[2].Index == nil || *results[2].Index != 0 || results[2].Document != 2 {
		t.Fatalf("List item location: document %d index %v", results[2].Document, results[2].Index)
	}
}

func TestValidateInvalid(t *testing.T) {
	results, err := validateJSON(t, "", "-f", invalidFile)
	if err == nil {
		t.Fatal("invalid manifests passed (exit 0)")
	}
	type want struct {
		name   string
		valid  bool
		code   int32
		field  string // first cause's field, "" for none
		inText string
	}
	wants := []want{
		{"no-slash", false, http.StatusUnprocessableEntity, "spec.rules[0].matches[0].path", "absolute path"},
		{"twins", false, http.StatusUnprocessableEntity, "spec.listeners[1]", "Duplicate value"},
		{"misspelt", false, http.StatusBadRequest, "", `unknown field "spec.rulez"`},
		{"wildcard", false, http.StatusUnprocessableEntity, "spec.controllerName", "should match"},
		{"not-served", false, http.StatusBadRequest, "", "no kind Deployment is served"},
		{"fine", true, 0, "", ""},
	}
	if len(results) != len(wants) {
		t.Fatalf("%d results, want %d: %+v", len(results), len(wants), results)
	}
	for i, w := range wants {
		r := results[i]
		if r.Name != w.name || r.Valid != w.valid || r.Document != i || r.File != invalidFile {
			t.Errorf("result %d: %s valid=%v doc=%d, want %s valid=%v doc=%d", i, r.Name, r.Valid, r.Document, w.name, w.valid, i)
			continue
		}
		if w.valid {
			continue
		}
		if r.Status == nil || r.Status.Code != w.code || !strings.Contains(r.Status.Message, w.inText) {
			t.Errorf("%s: status %+v, want code %d with %q", w.name, r.Status, w.code, w.inText)
			continue
		}
		if w.field != "" && (r.Status.Details == nil || r.Status.Details.Causes[0].Field != w.field) {
			t.Errorf("%s: causes %+v, want field %s", w.name, r.Status.Details, w.field)
		}
	}
	if results[0].Namespace != "default" {
		t.Errorf("namespaced object without a namespace got %q, want default", results[0].Namespace)
	}
}

// TestValidateAgreesWithServer sends each object validate judged to a real
// config server: the server must accept what validate accepts and answer
// the very Status validate printed for the rest.
func TestValidateAgreesWithServer(t *testing.T) {
	results, _ := validateJSON(t, "", "-f", invalidFile, "-f", validFile)
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, Token: s.Token})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{invalidFile, validFile} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := splitManifest(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			res, err := c.Apply(t.Context(), d.data, apiclient.WriteOptions{DryRun: true})
			if res == nil {
				t.Fatalf("%s document %d: no report: %v", f, d.index, err)
			}
			for _, it := range res.Items {
				r := findResult(results, f, d.index, it.Index)
				if r == nil {
					t.Fatalf("validate printed nothing for %s document %d", f, d.index)
				}
				if r.Valid != (it.Status == nil) {
					t.Errorf("%s %s: validate says valid=%v, the server said %+v", f, r.Name, r.Valid, it.Status)
					continue
				}
				if r.Valid {
					continue
				}
				if r.Status.Message != it.Status.Message {
					t.Logf("%s %s: messages differ:\n validate: %s\n server:   %s", f, r.Name, r.Status.Message, it.Status.Message)
				}
				if !sameStatus(*r.Status, *it.Status) {
					t.Errorf("%s %s: validate's Status\n%+v\ndiffers from the server's\n%+v", f, r.Name, *r.Status, *it.Status)
				}
			}
		}
	}
}

// sameStatus compares what a client acts on. The server lists its served
// kinds in the message about an unknown one; validate does not.
func sameStatus(a, b metav1.Status) bool {
	if a.Code != b.Code || a.Reason != b.Reason || !reflect.DeepEqual(a.Details, b.Details) {
		return false
	}
	return a.Message == b.Message || strings.HasPrefix(b.Message, a.Message+"; served kinds: ")
}

func findResult(results []validationResult, file string, doc int, index *int) *validationResult {
	for i, r := range results {
		if r.File == file && r.Document == doc && reflect.DeepEqual(r.Index, index) {
			return &results[i]
		}
	}
	return nil
}

func TestValidateStdinAndDuplicates(t *testing.T) {
	data, err := os.ReadFile(validFile)
	if err != nil {
		t.Fatal(err)
	}
	// The same objects from a file and from stdin: the second definitions
	// are refused, as the server's apply refuses them.
	results, err := validateJSON(t, string(data), "-f", validFile, "-f", "-")
	if err == nil {
		t.Fatal("duplicates passed")
	}
	if len(results) != 8 {
		t.Fatalf("%d results, want 8", len(results))
	}
	for i, r := range results {
		dup := i >= 4
		if r.Valid == dup {
			t.Errorf("%d %s from %s: valid=%v", i, r.Name, r.File, r.Valid)
		}
		if dup && (r.File != "-" || !strings.Contains(r.Status.Message, "also defined by "+validFile)) {
			t.Errorf("%d: %+v", i, r.Status)
		}
	}
}

func TestValidateDirectoryAndText(t *testing.T) {
	dir := t.TempDir()
	bad := "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n  - matches: [{path: {type: Exact, value: x}}]\n"
	if err := os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a manifest"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "validate", "-f", dir)
	if err == nil || err.Error() != "1 of 1 objects are invalid" {
		t.Fatalf("err = %v", err)
	}
	want := filepath.Join(dir, "r.yaml") + ":1: document 0 (HTTPRoute default/r): spec.rules[0].matches[0].path: Invalid value: value must be an absolute path"
	if !strings.HasPrefix(out, want) {
		t.Fatalf("text output:\n%s\nwant a line starting %q", out, want)
	}
}

func TestValidateUsage(t *testing.T) {
	if _, _, err := runCLI(t, "", "validate"); err == nil {
		t.Error("no -f accepted")
	}
	if _, _, err := runCLI(t, "", "validate", "-f", validFile, "-o", "xml"); err == nil {
		t.Error("-o xml accepted")
	}
	if _, _, err := runCLI(t, "", "validate", "-f", "testdata/client/missing.yaml"); err == nil {
		t.Error("missing file accepted")
	}
}
