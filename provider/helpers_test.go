package provider

import (
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func itoa(i int) string { return strconv.Itoa(i) }

// lifecycle runs the life every resource must survive: create, an empty
// plan right after, an update in place, and an import that matches.
func lifecycle(t *testing.T, addr, importID string, create, update string, createChecks, updateChecks []statecheck.StateCheck) {
	t.Helper()
	p := controlPlane(t)
	ignore := []string{"status"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{Config: p + create, ConfigStateChecks: append(createChecks,
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(importID)))},
			{Config: p + create, PlanOnly: true},
			{
				Config: p + update,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: updateChecks,
			},
			{Config: p + update, PlanOnly: true},
			{ResourceName: addr, ImportState: true, ImportStateId: importID, ImportStateVerify: true, ImportStateVerifyIgnore: ignore},
		},
	})
}

func acceptedParent(addr string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("status").AtMapKey("parents").AtSliceIndex(0).AtMapKey("conditions"), knownvalue.SetPartial([]knownvalue.Check{
		knownvalue.ObjectPartial(map[string]knownvalue.Check{"type": knownvalue.StringExact("Accepted"), "status": knownvalue.StringExact("True")}),
	}))
}

func str(addr string, p tfjsonpath.Path, want string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, p, knownvalue.StringExact(want))
}

// listenerGateway is a Gateway with one listener of protocol on port.
func listenerGateway(protocol string, port int, extra string) string {
	return testClass + `
resource "envoygateway_gateway" "gw" {
  metadata = { name = "gw" }
  spec = {
    gateway_class_name = envoygateway_gateway_class.c.metadata.name
    listeners = [{ name = "l", protocol = "` + protocol + `", port = ` + itoa(port) + extra + ` }]
  }
}
`
}
