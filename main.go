// Command terraform-provider-envoygateway is the Terraform provider of
// Envoy Gateway for Terraform.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/envoygateway/terraform-provider-envoygateway/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

//go:generate go tool tfplugindocs generate --provider-name envoygateway

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers such as delve")
	flag.Parse()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/envoygateway/envoygateway",
		Debug:   *debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
