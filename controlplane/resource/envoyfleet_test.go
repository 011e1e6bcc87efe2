package resource

import (
	"strings"
	"testing"
)

func TestDecodeEnvoyFleet(t *testing.T) {
	res, _, errs := Decode([]byte(`
apiVersion: envoygateway.dev/v1alpha1
kind: EnvoyFleet
metadata: {name: edge}
spec:
  module: {source: ./modules/local}
  replicas: 2
  envoyVersion: "1.36.2"
  variables:
    command: envoy
    tags: {team: edge}
    zones: [a, b]
  backend: {type: s3, config: {bucket: b}}
`), "f.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(res.EnvoyFleets) != 1 {
		t.Fatalf("fleets %d", len(res.EnvoyFleets))
	}
	f := res.EnvoyFleets[0]
	if f.Spec.ReplicasOrDefault() != 2 || f.Spec.Module.Source != "./modules/local" || f.Spec.Backend.Config["bucket"] != "b" {
		t.Errorf("spec %+v", f.Spec)
	}
	if got := string(f.Spec.Variables["tags"]); got != `{"team":"edge"}` {
		t.Errorf("tags %s", got)
	}
	c := f.DeepCopy()
	c.Spec.Variables["zones"][1] = 'X'
	*c.Spec.Replicas = 5
	c.Spec.Backend.Config["bucket"] = "other"
	if string(f.Spec.Variables["zones"]) != `["a","b"]` || *f.Spec.Replicas != 2 || f.Spec.Backend.Config["bucket"] != "b" {
		t.Error("DeepCopy shares memory with the original")
	}
}

func TestEnvoyFleetDefaults(t *testing.T) {
	var s EnvoyFleetSpec
	if s.ReplicasOrDefault() != 1 {
		t.Errorf("default replicas %d", s.ReplicasOrDefault())
	}
}

func TestEnvoyFleetChecksNameTheField(t *testing.T) {
	cases := map[string]struct{ spec, field string }{
		"no source":         {`{module: {source: ""}}`, "spec.module.source"},
		"version on local":  {`{module: {source: ../m, version: "1.0"}}`, "spec.module.version"},
		"reserved variable": {`{module: {source: ./m}, variables: {replicas: 3}}`, "spec.variables[replicas]"},
		"bad variable name": {`{module: {source: ./m}, variables: {"a b": 3}}`, "spec.variables[a b]"},
		"negative replicas": {`{module: {source: ./m}, replicas: -1}`, "spec.replicas"},
		"bad backend":       {`{module: {source: ./m}, backend: {type: "S3!"}}`, "spec.backend.type"},
		"namespaced":        {`{module: {source: ./m}}`, "metadata.namespace"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ns := ""
			if name == "namespaced" {
				ns = ", namespace: default"
			}
			doc := "apiVersion: envoygateway.dev/v1alpha1\nkind: EnvoyFleet\nmetadata: {name: f" + ns + "}\nspec: " + tc.spec + "\n"
			_, _, errs := Decode([]byte(doc), "f.yaml")
			if len(errs) == 0 {
				t.Fatal("accepted")
			}
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			if msg := strings.Join(all, "; "); !strings.Contains(msg, tc.field) || !strings.Contains(msg, "f.yaml") {
				t.Errorf("error %q does not name %s in f.yaml", msg, tc.field)
			}
		})
	}
}
