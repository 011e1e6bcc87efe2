package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func gatewayClassConfig(desc string) string {
	return `
resource "envoygateway_gateway_class" "c" {
  metadata = { name = "eg", labels = { team = "edge" } }
  spec = {
    controller_name = "gateway.envoyproxy.io/gatewayclass-controller"
    description     = "` + desc + `"
  }
}
`
}

func TestAccGatewayClass(t *testing.T) {
	a := "envoygateway_gateway_class.c"
	lifecycle(t, a, "eg", gatewayClassConfig("first"), gatewayClassConfig("second"),
		[]statecheck.StateCheck{str(a, tfjsonpath.New("status").AtMapKey("conditions").AtSliceIndex(0).AtMapKey("status"), "True")},
		[]statecheck.StateCheck{str(a, tfjsonpath.New("spec").AtMapKey("description"), "second")})
}
