package validation

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
)

// Every embedded CRD passes the API server's own CRD validation, which
// compiles each CEL rule and bounds its estimated cost: what kube-apiserver
// checks before it would serve the kind. The project's own CRDs are held to
// the same bar as the Gateway API's.
func TestEmbeddedCRDsAreValid(t *testing.T) {
	crds, err := loadCRDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) < 10 {
		t.Fatalf("only %d CRDs embedded", len(crds))
	}
	for _, crd := range crds {
		t.Run(crd.Name, func(t *testing.T) {
			for _, ver := range crd.Spec.Versions {
				if ver.Storage {
					crd.Status.StoredVersions = []string{ver.Name}
				}
			}
			crd.Status.AcceptedNames = crd.Spec.Names
			internal := &apiextensions.CustomResourceDefinition{}
			if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, internal, nil); err != nil {
				t.Fatal(err)
			}
			if errs := crdvalidation.ValidateCustomResourceDefinition(context.Background(), internal); len(errs) > 0 {
				t.Errorf("CRD rejected:\n%s", formatErrs(errs))
			}
		})
	}
}

// The embedded Gateway API CRDs are exactly the standard channel of the
// gateway-api module in go.mod; if this fails, run go generate.
func TestEmbeddedCRDsMatchModule(t *testing.T) {
	src := filepath.Join(gatewayAPIDir(t), "config", "crd", "standard")
	want, err := filepath.Glob(filepath.Join(src, "gateway.networking.k8s.io_*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var wantNames []string
	for _, path := range want {
		if strings.Contains(filepath.Base(path), "_vap_") {
			continue
		}
		wantNames = append(wantNames, filepath.Base(path))
		embedded, err := crdFiles.ReadFile("crds/" + filepath.Base(path))
		if err != nil {
			t.Errorf("%s is not embedded", filepath.Base(path))
			continue
		}
		upstream, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(embedded, upstream) {
			t.Errorf("crds/%s differs from %s", filepath.Base(path), path)
		}
	}
	got, _ := fs.Glob(crdFiles, "crds/gateway.networking.k8s.io_*.yaml")
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	sort.Strings(wantNames)
	if strings.Join(got, ",") != strings.Join(wantNames, ",") {
		t.Errorf("embedded %v, module has %v", got, wantNames)
	}
}

// loadCRDs parses every embedded CRD, defaulted as kube-apiserver stores it
// (New reads only what lookups need; see crdsource.go).
func loadCRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	names, err := fs.Glob(crdFiles, "crds/*.yaml")
	if err != nil {
		return nil, err
	}
	crds := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(names))
	for _, name := range names {
		data, err := crdFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		crd, err := parseCRD(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		crds = append(crds, crd)
	}
	return crds, nil
}
