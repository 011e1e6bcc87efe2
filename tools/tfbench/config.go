package main

import (
	"fmt"
	"strings"
)

// The two roots hold the same data: n route specs as one HCL map. One root
// turns each entry into an envoygateway_http_route, the other into a
// terraform_data whose input is that entry, so the difference in wall time
// is what the provider (and the control plane behind it) adds to Terraform.

const providerHeader = `terraform {
  required_providers {
    envoygateway = { source = "envoygateway/envoygateway" }
  }
}

provider "envoygateway" {}
`

// infraConfig is applied once, untimed: the routes' parents and backend.
const infraConfig = providerHeader + `
resource "envoygateway_gateway_class" "bench" {
  metadata = { name = "bench" }
  spec     = { controller_name = "gateway.envoyproxy.io/gatewayclass-controller" }
}

resource "envoygateway_gateway" "bench" {
  metadata = { name = "bench" }
  spec = {
    gateway_class_name = envoygateway_gateway_class.bench.metadata.name
    listeners          = [{ name = "http", protocol = "HTTP", port = 8080 }]
  }
}

resource "envoygateway_backend" "bench" {
  metadata = { name = "bench" }
  spec     = { endpoints = [{ address = "127.0.0.1:9" }] }
}
`

// routeSpecs is `locals { routes = {...} }`: n specs in the provider's
// attribute shape, each with a hostname, a path and header match, and a
// weighted backend, so each object is of a realistic size.
func routeSpecs(n int) string {
	var b strings.Builder
	b.WriteString("locals {\n  routes = {\n")
	for i := range n {
		fmt.Fprintf(&b, `    r%03d = {
      parent_refs = [{ name = "bench" }]
      hostnames   = ["r%03d.example.com"]
      rules = [{
        matches      = [{ path = { type = "PathPrefix", value = "/r%03d" }, headers = [{ name = "x-tenant", value = "t%03d" }] }]
        backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = "bench", weight = %d }]
      }]
    }
`, i, i, i, i, 1+i%10)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

func routesConfig(n int) string {
	return providerHeader + routeSpecs(n) + `
resource "envoygateway_http_route" "r" {
  for_each = local.routes
  metadata = { name = each.key }
  spec     = each.value
}
`
}

func dataConfig(n int) string {
	return routeSpecs(n) + `
resource "terraform_data" "r" {
  for_each = local.routes
  input    = merge(each.value, { name = each.key })
}
`
}
