package validation_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// The EnvoyFleet CRD and the Go type agree, and the CRD refuses what the
// provisioner could not run.
func TestEnvoyFleetCRD(t *testing.T) {
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	obj, err := validation.FromYAML([]byte(`
apiVersion: envoygateway.dev/v1alpha1
kind: EnvoyFleet
metadata: {name: edge}
spec:
  module: {source: ./modules/local}
  replicas: 2
  envoyVersion: "1.36.2"
  variables: {command: envoy, tags: {a: b}, count: 3}
  backend: {type: local, config: {path: x.tfstate}}
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Create(obj)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("rejected: %v %v", err, res.Errors)
	}
	data, _ := json.Marshal(res.Object)
	var f resource.EnvoyFleet
	dec := json.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("stored EnvoyFleet does not fit resource.EnvoyFleet: %v", err)
	}
	if f.Spec.ReplicasOrDefault() != 2 || string(f.Spec.Variables["count"]) != "3" {
		t.Errorf("spec %+v", f.Spec)
	}

	for _, tc := range [][2]string{
		{"spec.module", `{module: {source: ./m, version: "1.0"}}`},
		{"spec.replicas", `{module: {source: ./m}, replicas: 1001}`},
		{"spec.backend.type", `{module: {source: ./m}, backend: {type: "S3"}}`},
		{"spec.module", `{replicas: 1}`},
	} {
		name, doc := tc[0], tc[1]
		obj, err := validation.FromYAML([]byte("apiVersion: envoygateway.dev/v1alpha1\nkind: EnvoyFleet\nmetadata: {name: f}\nspec: " + doc))
		if err != nil {
			t.Fatal(err)
		}
		res, err := v.Create(obj)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range res.Errors {
			if e.Field == name {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want an error on that field, got %v", doc, res.Errors)
		}
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
