package provisioner

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// Values reach the module literally: "${...}" in a variable or the
// bootstrap is not a Terraform template.
func TestRootModuleEscapesTemplates(t *testing.T) {
	out, err := rootModule("./m", "", &ir.InfraBackend{Type: "s3", Config: map[string]string{"bucket": "secret-bucket"}}, moduleInputs{
		Name: "eg", EnvoyBootstrap: "a: ${b} %{c}", Ports: []uint32{80}, Replicas: 2,
		Extra: map[string]json.RawMessage{"tags": json.RawMessage(`{"${k}": ["${v}"]}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{`"envoy_bootstrap": "a: $${b} %%{c}"`, `"$${k}": [`, `"$${v}"`, `"value": "${module.fleet.addresses}"`, `"s3": {}`} {
		if !strings.Contains(s, want) {
			t.Errorf("main.tf.json lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "secret-bucket") {
		t.Error("backend config written into main.tf.json; it belongs on init's -backend-config")
	}
	if _, err := rootModule("./m", "", nil, moduleInputs{Extra: map[string]json.RawMessage{"x": json.RawMessage(`{`)}}); err == nil || !strings.Contains(err.Error(), "variables[x]") {
		t.Errorf("bad variable: %v", err)
	}
}
