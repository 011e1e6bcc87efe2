// Command terraform-provider-envoygateway is the Terraform provider of
// Envoy Gateway for Terraform.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/envoygateway/terraform-provider-envoygateway/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

//go:generate go tool tfplugindocs generate --provider-name envoygateway

func main() {
	debug := flag.Bool("debug", false, "run with support for debuggers such as delve")
	flag.Parse()
	var opts []tf6server.ServeOpt
	if *debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	srv := provider.NewServer(version)
	err := tf6server.Serve("registry.terraform.io/envoygateway/envoygateway", func() tfprotov6.ProviderServer {
		s, err := srv()
		if err != nil {
			log.Fatal(err)
		}
		return s
	}, opts...)
	if err != nil {
		log.Fatal(err)
	}
}
