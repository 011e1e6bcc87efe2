package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func tlsRouteConfig(host string) string {
	return listenerGateway("TLS", 8443, `, tls = { mode = "Passthrough" }`) + testBackend + `
resource "envoygateway_tls_route" "r" {
  metadata = { name = "r" }
  spec = {
    parent_refs = [{ name = envoygateway_gateway.gw.metadata.name }]
    hostnames   = ["` + host + `"]
    rules = [{
      backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = envoygateway_backend.b.metadata.name }]
    }]
  }
}
`
}

func TestAccTLSRoute(t *testing.T) {
	a := "envoygateway_tls_route.r"
	lifecycle(t, a, "default/r", tlsRouteConfig("a.example.com"), tlsRouteConfig("b.example.com"),
		[]statecheck.StateCheck{acceptedParent(a)},
		[]statecheck.StateCheck{acceptedParent(a), str(a, tfjsonpath.New("spec").AtMapKey("hostnames").AtSliceIndex(0), "b.example.com")})
}
