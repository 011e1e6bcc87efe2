package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func tcpRouteConfig(ruleName string) string {
	return listenerGateway("TCP", 5353, "") + testBackend + `
resource "envoygateway_tcp_route" "r" {
  metadata = { name = "r" }
  spec = {
    parent_refs = [{ name = envoygateway_gateway.gw.metadata.name }]
    rules = [{
      name         = "` + ruleName + `"
      backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = envoygateway_backend.b.metadata.name }]
    }]
  }
}
`
}

func TestAccTCPRoute(t *testing.T) {
	a := "envoygateway_tcp_route.r"
	lifecycle(t, a, "default/r", tcpRouteConfig("one"), tcpRouteConfig("two"),
		[]statecheck.StateCheck{acceptedParent(a)},
		[]statecheck.StateCheck{acceptedParent(a), str(a, tfjsonpath.New("spec").AtMapKey("rules").AtSliceIndex(0).AtMapKey("name"), "two")})
}
