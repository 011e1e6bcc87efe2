package crdtrim

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The committed schemas are what the generator makes of the committed CRDs;
// otherwise the provider would not match what the server validates.
func TestCommittedSchemasAreFresh(t *testing.T) {
	got, err := Generate("../../../../controlplane/resource/validation/crds")
	if err != nil {
		t.Fatal(err)
	}
	dir := "../../crdschema/data"
	for name, data := range got {
		old, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(old, data) {
			t.Errorf("%s is stale: run go generate ./provider/internal/crdschema", name)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		if _, ok := got[filepath.Base(f)]; !ok {
			t.Errorf("%s has no CRD any more: run go generate ./provider/internal/crdschema", f)
		}
	}
	for _, kind := range []string{"Gateway.json", "HTTPRoute.json", "GatewayClass.json", "ReferenceGrant.json", "Backend.json"} {
		if _, ok := got[kind]; !ok {
			t.Errorf("no schema generated for %s", kind)
		}
	}
}
