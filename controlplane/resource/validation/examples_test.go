package validation

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// gatewayAPIDir is the gateway-api module in the module cache, the source of
// the CRDs and of the project's own example manifests.
func gatewayAPIDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/gateway-api").Output()
	if err != nil {
		t.Fatalf("go list -m sigs.k8s.io/gateway-api: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("gateway-api module is not downloaded")
	}
	return dir
}

// manifest is one YAML document of a file.
type manifest struct {
	file  string
	index int
	obj   map[string]any
}

func readManifests(t testing.TB, root string) []manifest {
	t.Helper()
	var out []manifest
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for i := 0; ; i++ {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			obj, err := FromYAML(doc)
			if err != nil {
				continue // an empty document or a comment-only one
			}
			rel, _ := filepath.Rel(root, path)
			out = append(out, manifest{file: rel, index: i, obj: obj})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// inNamespace fills metadata.namespace as kubectl apply would.
func inNamespace(v *Validator, obj map[string]any) {
	u := &unstructured.Unstructured{Object: obj}
	if namespaced, ok := v.Namespaced(u.GroupVersionKind()); ok && namespaced && u.GetNamespace() == "" {
		u.SetNamespace("default")
	}
}

// The gateway-api project's own examples of the standard channel are valid.
func TestAcceptsGatewayAPIExamples(t *testing.T) {
	v := validator(t)
	all := readManifests(t, filepath.Join(gatewayAPIDir(t), "examples", "standard"))
	checked := 0
	for _, m := range all {
		u := &unstructured.Unstructured{Object: m.obj}
		if !v.Knows(u.GroupVersionKind()) {
			continue // Deployments and the like
		}
		checked++
		inNamespace(v, m.obj)
		res, err := v.Create(m.obj)
		if err != nil {
			t.Errorf("%s[%d] %s %s: %v", m.file, m.index, u.GetKind(), u.GetName(), err)
			continue
		}
		if len(res.Errors) > 0 {
			t.Errorf("%s[%d] %s %s rejected:\n%s", m.file, m.index, u.GetKind(), u.GetName(), formatErrs(res.Errors))
		}
		if len(res.UnknownFields) > 0 {
			t.Errorf("%s[%d] %s %s: unknown fields %v", m.file, m.index, u.GetKind(), u.GetName(), res.UnknownFields)
		}
	}
	if checked < 50 {
		t.Fatalf("only %d example objects of known kinds found in %d documents", checked, len(all))
	}
	t.Logf("%d example objects accepted", checked)
}

// The gateway-api project's own invalid examples (hack/invalid-examples,
// which its CI applies to a real API server expecting a rejection) are all
// rejected.
func TestRejectsGatewayAPIInvalidExamples(t *testing.T) {
	v := validator(t)
	all := readManifests(t, filepath.Join(gatewayAPIDir(t), "hack", "invalid-examples", "standard"))
	if len(all) < 30 {
		t.Fatalf("only %d invalid examples found", len(all))
	}
	for _, m := range all {
		inNamespace(v, m.obj)
		res, err := v.Create(m.obj)
		if err == nil && len(res.Errors) == 0 {
			t.Errorf("%s[%d] accepted", m.file, m.index)
			continue
		}
		t.Logf("%s: %v%s", m.file, err, strings.TrimRight(formatErrs(res.Errors), "\n"))
	}
}
