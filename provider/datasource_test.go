package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// dataSources reads back the class and Gateway the same config manages;
// referencing the resources defers the reads until they exist.
const dataSources = `
data "envoygateway_gateway_class" "c" {
  metadata = { name = envoygateway_gateway_class.c.metadata.name }
}

data "envoygateway_gateway" "gw" {
  metadata = { name = envoygateway_gateway.gw.metadata.name }
}
`

func accepted(addr string, p tfjsonpath.Path) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, p, knownvalue.ListPartial(map[int]knownvalue.Check{
		0: knownvalue.ObjectPartial(map[string]knownvalue.Check{"type": knownvalue.StringExact("Accepted"), "status": knownvalue.StringExact("True")}),
	}))
}

func TestAccDataSources(t *testing.T) {
	p := controlPlane(t)
	class, gw := "data.envoygateway_gateway_class.c", "data.envoygateway_gateway.gw"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{
				Config: p + gatewayConfig(8080, "*.example.com") + dataSources,
				ConfigStateChecks: []statecheck.StateCheck{
					str(class, tfjsonpath.New("id"), "eg"),
					str(class, tfjsonpath.New("spec").AtMapKey("controller_name"), "gateway.envoyproxy.io/gatewayclass-controller"),
					accepted(class, tfjsonpath.New("status").AtMapKey("conditions")),

					str(gw, tfjsonpath.New("id"), "default/gw"),
					str(gw, tfjsonpath.New("metadata").AtMapKey("namespace"), "default"),
					str(gw, tfjsonpath.New("spec").AtMapKey("gateway_class_name"), "eg"),
					statecheck.ExpectKnownValue(gw, tfjsonpath.New("spec").AtMapKey("listeners").AtSliceIndex(0).AtMapKey("port"), knownvalue.Int64Exact(8080)),
					str(gw, tfjsonpath.New("spec").AtMapKey("listeners").AtSliceIndex(0).AtMapKey("hostname"), "*.example.com"),
					accepted(gw, tfjsonpath.New("status").AtMapKey("conditions")),
					str(gw, tfjsonpath.New("status").AtMapKey("listeners").AtSliceIndex(0).AtMapKey("name"), "http"),
					// The data source and the resource agree on what the server holds.
					statecheck.CompareValuePairs(gw, tfjsonpath.New("spec"), "envoygateway_gateway.gw", tfjsonpath.New("spec"), compare.ValuesSame()),
				},
			},
			{
				// A changed Gateway is read afresh, not from a stale copy.
				Config: p + gatewayConfig(9090, "*.example.org") + dataSources,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(gw, tfjsonpath.New("spec").AtMapKey("listeners").AtSliceIndex(0).AtMapKey("port"), knownvalue.Int64Exact(9090)),
					str(gw, tfjsonpath.New("spec").AtMapKey("listeners").AtSliceIndex(0).AtMapKey("hostname"), "*.example.org"),
				},
			},
		},
	})
}

func TestAccDataSourceMissingObject(t *testing.T) {
	p := controlPlane(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{
				Config:      p + `data "envoygateway_gateway" "gw" { metadata = { name = "nope", namespace = "other" } }`,
				ExpectError: regexp.MustCompile(`(?s)Gateway other/nope.*not found`),
			},
			{
				Config:      p + `data "envoygateway_gateway_class" "c" { metadata = { name = "nope" } }`,
				ExpectError: regexp.MustCompile(`(?s)GatewayClass nope.*not found`),
			},
		},
	})
}
