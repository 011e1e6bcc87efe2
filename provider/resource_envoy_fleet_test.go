package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func envoyFleetConfig(region string) string {
	return `
resource "envoygateway_envoy_fleet" "f" {
  metadata = { name = "edge" }
  spec = {
    module    = { source = "./modules/local" }
    replicas  = 2
    variables = { region = jsonencode("` + region + `"), sizes = jsonencode({ a = 1 }) }
  }
}
`
}

func TestAccEnvoyFleet(t *testing.T) {
	a := "envoygateway_envoy_fleet.f"
	lifecycle(t, a, "edge", envoyFleetConfig("eu"), envoyFleetConfig("us"), nil,
		[]statecheck.StateCheck{str(a, tfjsonpath.New("spec").AtMapKey("variables").AtMapKey("region"), `"us"`)})
}
