package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

const testBackend = `
resource "envoygateway_backend" "b" {
  metadata = { name = "b" }
  spec     = { endpoints = [{ address = "127.0.0.1:9000" }] }
}
`

func routeConfig(prefix string, hostnames string) string {
	return gatewayConfig(8080, "*.example.com") + testBackend + `
resource "envoygateway_http_route" "r" {
  metadata = { name = "r" }
  spec = {
    parent_refs = [{ name = envoygateway_gateway.gw.metadata.name }]
    hostnames   = [` + hostnames + `]
    rules = [{
      matches      = [{ path = { type = "PathPrefix", value = "` + prefix + `" } }]
      backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = envoygateway_backend.b.metadata.name }]
      filters = [{
        type = "RequestHeaderModifier"
        request_header_modifier = { set = [{ name = "x-a", value = "1" }, { name = "x-b", value = "2" }] }
      }]
    }]
  }
}
`
}

func TestAccHTTPRoute(t *testing.T) {
	p := controlPlane(t)
	r := "envoygateway_http_route.r"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{
				Config: p + routeConfig("/a", `"a.example.com", "b.example.com"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(r, tfjsonpath.New("id"), knownvalue.StringExact("default/r")),
					// Defaults the server applies are planned and stored.
					statecheck.ExpectKnownValue(r, tfjsonpath.New("spec").AtMapKey("parent_refs").AtSliceIndex(0).AtMapKey("kind"), knownvalue.StringExact("Gateway")),
					statecheck.ExpectKnownValue(r, tfjsonpath.New("spec").AtMapKey("rules").AtSliceIndex(0).AtMapKey("backend_refs").AtSliceIndex(0).AtMapKey("weight"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(r, tfjsonpath.New("status").AtMapKey("parents").AtSliceIndex(0).AtMapKey("conditions"), knownvalue.SetPartial([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"type": knownvalue.StringExact("Accepted"), "status": knownvalue.StringExact("True")}),
					})),
				},
			},
			{
				// Only the order of a set (hostnames, header sets) changed.
				Config:   p + routeConfig("/a", `"b.example.com", "a.example.com"`),
				PlanOnly: true,
			},
			{
				Config: p + routeConfig("/b", `"a.example.com"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(r, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(r, tfjsonpath.New("spec").AtMapKey("rules").AtSliceIndex(0).AtMapKey("matches").AtSliceIndex(0).AtMapKey("path").AtMapKey("value"), knownvalue.StringExact("/b")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(r, tfjsonpath.New("spec").AtMapKey("hostnames"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("a.example.com")})),
				},
			},
			{ResourceName: r, ImportState: true, ImportStateId: "default/r", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"status"}},
		},
	})
}

// A route the control plane refuses fails the apply with the reason; one
// the schema refuses fails the plan, naming the field.
func TestAccHTTPRouteRejected(t *testing.T) {
	p := controlPlane(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{
				Config: p + testClass + `
resource "envoygateway_http_route" "bad" {
  metadata = { name = "bad" }
  spec = {
    rules = [{ matches = [{ path = { type = "PathPrefix", value = "no-slash" } }] }]
  }
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)would reject this HTTPRoute.*spec.rules\[0\].matches\[0\].path`),
			},
			{
				Config: p + `
resource "envoygateway_http_route" "orphan" {
  metadata = { name = "orphan" }
  spec = {
    parent_refs = [{ name = "no-such-gateway" }]
  }
  timeouts = { create = "30s" }
}
`,
				ExpectError: regexp.MustCompile(`(?s)not accepted.*Accepted=False, reason\s+NoMatchingParent`),
			},
		},
	})
}

// An object deleted behind Terraform's back leaves the state, and the next
// plan creates it again.
func TestAccOutOfBandDeletion(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{Translator: true})
	p := "provider \"envoygateway\" {\n  endpoint = \"" + s.Endpoint + "\"\n  token = \"" + s.Token + "\"\n}\n"
	cfg := p + `
resource "envoygateway_reference_grant" "g" {
  metadata = { name = "g", namespace = "apps" }
  spec = {
    from = [{ group = "gateway.networking.k8s.io", kind = "HTTPRoute", namespace = "default" }]
    to   = [{ group = "", kind = "Service" }]
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					c, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, Token: s.Token})
					if err != nil {
						t.Fatal(err)
					}
					gvk := schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "ReferenceGrant"}
					if _, err := c.Delete(context.Background(), gvk, "apps", "g", apiclient.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("envoygateway_reference_grant.g", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}
