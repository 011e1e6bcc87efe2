package gatewayapi

import (
	"reflect"
	"strings"
	"testing"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

const staticCase = "testdata/gateway-static-addresses-and-infrastructure.in.yaml"

// The golden output hides the infra IR; this checks what the provisioner
// receives for the golden case's Gateways.
func TestGatewayInfraIR(t *testing.T) {
	r := Translate(loadResources(t, staticCase), Options{Now: fixedNow})
	got := r.Infra["eg"].GatewayInfra
	want := []ir.GatewayInfra{{
		Gateway:     "default/static",
		Addresses:   []ir.InfraAddress{{Type: "IPAddress", Value: "192.0.2.10"}, {Type: "Hostname", Value: "lb.example.com"}},
		Labels:      map[string]string{"team": "payments"},
		Annotations: map[string]string{"example.com/owner": "alice"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GatewayInfra = %+v, want %+v", got, want)
	}
	for _, p := range r.Infra["eg"].Ports {
		if p == 8080 || p == 8081 {
			t.Errorf("port %d of a Gateway that is not accepted reaches the fleet", p)
		}
	}
}

// An address outside the operator's pool: accepted, not programmed
// (AddressNotUsable), and neither in status nor in the infra IR.
func TestGatewayAddressNotUsable(t *testing.T) {
	opts := Options{Now: fixedNow, AddressUsable: func(typ, v string) bool { return typ == "Hostname" }}
	r := Translate(loadResources(t, staticCase), opts)
	var g *gwapiv1.Gateway
	for _, x := range r.Gateways {
		if x.Name == "static" {
			g = x
		}
	}
	acc := findCondition(g.Status.Conditions, string(gwapiv1.GatewayConditionAccepted))
	prog := findCondition(g.Status.Conditions, string(gwapiv1.GatewayConditionProgrammed))
	if acc == nil || acc.Status != "True" {
		t.Errorf("Accepted = %+v, want True", acc)
	}
	if prog == nil || prog.Reason != string(gwapiv1.GatewayReasonAddressNotUsable) || !strings.Contains(prog.Message, "spec.addresses[0]") {
		t.Errorf("Programmed = %+v, want False/AddressNotUsable naming spec.addresses[0]", prog)
	}
	if len(g.Status.Addresses) != 1 || g.Status.Addresses[0].Value != "lb.example.com" {
		t.Errorf("status.addresses = %+v, want only the usable hostname", g.Status.Addresses)
	}
	if a := r.Infra["eg"].GatewayInfra[0].Addresses; len(a) != 1 || a[0].Value != "lb.example.com" {
		t.Errorf("infra addresses = %+v, want only the usable hostname", a)
	}
}
