package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func grpcRouteConfig(method string) string {
	return listenerGateway("HTTP", 8080, "") + testBackend + `
resource "envoygateway_grpc_route" "r" {
  metadata = { name = "r" }
  spec = {
    parent_refs = [{ name = envoygateway_gateway.gw.metadata.name }]
    rules = [{
      matches      = [{ method = { service = "echo.Echo", method = "` + method + `" } }]
      backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = envoygateway_backend.b.metadata.name }]
    }]
  }
}
`
}

func TestAccGRPCRoute(t *testing.T) {
	a := "envoygateway_grpc_route.r"
	lifecycle(t, a, "default/r", grpcRouteConfig("Get"), grpcRouteConfig("List"),
		[]statecheck.StateCheck{acceptedParent(a),
			str(a, tfjsonpath.New("spec").AtMapKey("rules").AtSliceIndex(0).AtMapKey("matches").AtSliceIndex(0).AtMapKey("method").AtMapKey("type"), "Exact")},
		[]statecheck.StateCheck{acceptedParent(a),
			str(a, tfjsonpath.New("spec").AtMapKey("rules").AtSliceIndex(0).AtMapKey("matches").AtSliceIndex(0).AtMapKey("method").AtMapKey("method"), "List")})
}
