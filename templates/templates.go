// Package templates holds the files embedded into the binaries: the Envoy
// bootstrap template that joins a proxy to a fleet (and, later, the
// tfplugindocs templates, which are read from disk by tfplugindocs).
package templates

import _ "embed"

// EnvoyBootstrap is a Go text/template of an Envoy v3 bootstrap in YAML. Its
// fields are those of envoybootstrap.Params.
//
//go:embed envoy-bootstrap.yaml.tmpl
var EnvoyBootstrap string
