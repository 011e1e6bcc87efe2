package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const testClass = `
resource "envoygateway_gateway_class" "c" {
  metadata = { name = "eg" }
  spec     = { controller_name = "gateway.envoyproxy.io/gatewayclass-controller" }
}
`

func gatewayConfig(port int, hostname string) string {
	return testClass + `
resource "envoygateway_gateway" "gw" {
  metadata = { name = "gw", namespace = "default" }
  spec = {
    gateway_class_name = envoygateway_gateway_class.c.metadata.name
    listeners = [{
      name     = "http"
      protocol = "HTTP"
      port     = ` + itoa(port) + `
      hostname = "` + hostname + `"
    }]
  }
}
`
}

func TestAccGateway(t *testing.T) {
	p := controlPlane(t)
	gw := "envoygateway_gateway.gw"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{
				Config: p + gatewayConfig(8080, "*.example.com"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(gw, tfjsonpath.New("id"), knownvalue.StringExact("default/gw")),
					// The server's default for allowedRoutes is in state.
					statecheck.ExpectKnownValue(gw, tfjsonpath.New("spec").AtMapKey("listeners").AtSliceIndex(0).AtMapKey("allowed_routes").AtMapKey("namespaces").AtMapKey("from"), knownvalue.StringExact("Same")),
					statecheck.ExpectKnownValue(gw, tfjsonpath.New("status").AtMapKey("conditions"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.ObjectPartial(map[string]knownvalue.Check{"type": knownvalue.StringExact("Accepted"), "status": knownvalue.StringExact("True")}),
					})),
				},
			},
			{
				Config:   p + gatewayConfig(8080, "*.example.com"),
				PlanOnly: true, // plan is empty right after apply
			},
			{
				Config: p + gatewayConfig(9090, "*.example.org"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(gw, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(gw, tfjsonpath.New("spec").AtMapKey("listeners").AtSliceIndex(0).AtMapKey("port"), knownvalue.Int64Exact(9090)),
					statecheck.ExpectKnownValue(gw, tfjsonpath.New("status").AtMapKey("listeners").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("http")),
				},
			},
			{
				ResourceName:            gw,
				ImportState:             true,
				ImportStateId:           "default/gw",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"status"},
			},
		},
	})
}
