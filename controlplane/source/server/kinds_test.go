package server

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"
)

// Resource names must be what clients put in URLs: the CRDs'
// spec.names.plural (read from the CRD files the Validator embeds), and
// Kubernetes' own names for the core kinds.
func TestResourceNames(t *testing.T) {
	want := map[string]string{
		"Service": "services", "Namespace": "namespaces", "EndpointSlice": "endpointslices",
		"Secret": "secrets", "ConfigMap": "configmaps",
	}
	files, err := filepath.Glob("../../resource/validation/crds/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRD files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd struct {
			Spec struct {
				Names struct{ Kind, Plural string }
			}
		}
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want[crd.Spec.Names.Kind] = crd.Spec.Names.Plural
	}
	a := NewAPI(nil, testValidator(t), APIOptions{})
	for _, k := range a.Kinds() {
		w, ok := want[k.Kind]
		if !ok {
			t.Errorf("kind %s: no CRD and no core name known to this test", k.Kind)
			continue
		}
		if k.Resource != w {
			t.Errorf("%s: resource %q, want %q", k.GroupVersionKind, k.Resource, w)
		}
	}
	if _, err := a.KindFor(a.Kinds()[0].GroupVersion().WithResource(a.Kinds()[0].Resource)); err != nil {
		t.Error(err)
	}
}

func TestOptionsFromBootstrap(t *testing.T) {
	cfg, err := bootstrap.Parse([]byte("dataDir: /d\nsources:\n  server:\n    maxRequestBytes: 10\n    tls: {certFile: c, keyFile: k}\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := OptionsFrom(cfg)
	if o.Address != DefaultAddress || o.TokenFile != "/d/api-token" || o.MaxBodyBytes != 10 || o.TLS == nil || o.TLS.KeyFile != "k" || o.DisableToken {
		t.Errorf("%+v", o)
	}
}
