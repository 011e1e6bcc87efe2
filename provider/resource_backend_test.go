package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func backendConfig(addrs string) string {
	return `
resource "envoygateway_backend" "b" {
  metadata = { name = "b", namespace = "apps" }
  spec     = { endpoints = [` + addrs + `] }
}
`
}

func TestAccBackend(t *testing.T) {
	a := "envoygateway_backend.b"
	lifecycle(t, a, "apps/b",
		backendConfig(`{ address = "10.0.0.1:80" }, { address = "10.0.0.2:80" }`),
		backendConfig(`{ address = "10.0.0.3:80" }`),
		[]statecheck.StateCheck{statecheck.ExpectKnownValue(a, tfjsonpath.New("spec").AtMapKey("endpoints"), knownvalue.SetSizeExact(2))},
		[]statecheck.StateCheck{statecheck.ExpectKnownValue(a, tfjsonpath.New("spec").AtMapKey("endpoints"), knownvalue.SetExact([]knownvalue.Check{
			knownvalue.ObjectExact(map[string]knownvalue.Check{"address": knownvalue.StringExact("10.0.0.3:80")}),
		}))})
}
