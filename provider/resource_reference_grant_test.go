package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func referenceGrantConfig(fromNS string) string {
	return `
resource "envoygateway_reference_grant" "g" {
  metadata = { name = "g", namespace = "apps" }
  spec = {
    from = [{ group = "gateway.networking.k8s.io", kind = "HTTPRoute", namespace = "` + fromNS + `" }]
    to   = [{ group = "", kind = "Service" }]
  }
}
`
}

func TestAccReferenceGrant(t *testing.T) {
	a := "envoygateway_reference_grant.g"
	lifecycle(t, a, "apps/g", referenceGrantConfig("default"), referenceGrantConfig("web"), nil,
		[]statecheck.StateCheck{str(a, tfjsonpath.New("spec").AtMapKey("from").AtSliceIndex(0).AtMapKey("namespace"), "web")})
}
