// Command gen trims the control plane's CRDs to the OpenAPI schemas the
// Terraform provider is built from, one JSON file per kind. It runs through
// `go generate ./provider/...`; a test fails when its output is stale.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/envoygateway/terraform-provider-envoygateway/provider/internal/gen/crdtrim"
)

func main() {
	crds := flag.String("crds", "", "directory of CRD YAML files")
	out := flag.String("out", "", "directory to write <Kind>.json files into")
	flag.Parse()
	if *crds == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -crds DIR -out DIR")
		os.Exit(2)
	}
	if err := crdtrim.WriteDir(*crds, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
