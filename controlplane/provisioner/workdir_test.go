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

// The fleet's Gateways' labels and annotations reach the module as one
// "infrastructure" input (first Gateway by name wins a key), and only
// when some Gateway asks for them.
func TestFleetMetadataInput(t *testing.T) {
	x := &ir.Infra{Fleet: "eg", GatewayInfra: []ir.GatewayInfra{
		{Gateway: "default/a", Labels: map[string]string{"team": "a"}},
		{Gateway: "default/b", Labels: map[string]string{"team": "b", "tier": "edge"}, Annotations: map[string]string{"note": "${x}"}},
		{Gateway: "default/c", Addresses: []ir.InfraAddress{{Type: "IPAddress", Value: "192.0.2.1"}}},
	}}
	m := FleetMetadata(x)
	if m == nil || m.Labels["team"] != "a" || m.Labels["tier"] != "edge" || m.Annotations["note"] != "${x}" || len(m.Labels) != 2 || len(m.Annotations) != 1 {
		t.Fatalf("FleetMetadata = %+v", m)
	}
	out, err := rootModule("./m", "", nil, moduleInputs{Name: "eg", Infrastructure: m})
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Module struct {
			Fleet struct {
				Infrastructure *Metadata `json:"infrastructure"`
			} `json:"fleet"`
		} `json:"module"`
	}
	if err := json.Unmarshal(out, &root); err != nil {
		t.Fatal(err)
	}
	got := root.Module.Fleet.Infrastructure
	if got == nil || got.Labels["team"] != "a" || got.Annotations["note"] != "$${x}" {
		t.Errorf("infrastructure input = %+v (a value must reach Terraform literally, escaped)", got)
	}
	if FleetMetadata(&ir.Infra{GatewayInfra: x.GatewayInfra[2:]}) != nil {
		t.Error("a fleet whose Gateways ask for no labels or annotations sets the input")
	}
	out, _ = rootModule("./m", "", nil, moduleInputs{Name: "eg"})
	if strings.Contains(string(out), "infrastructure") {
		t.Errorf("infrastructure set without a Gateway asking:\n%s", out)
	}
}
