// Package envoybootstrap renders the Envoy bootstrap that joins a proxy to a
// fleet's xDS. The provisioner hands the same output to each fleet's
// Terraform module, and `envoy-gateway bootstrap` prints it.
package envoybootstrap

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"text/template"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	// Registers the HttpProtocolOptions type that the xds_cluster's Any refers to.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/templates"
)

// Params are the template's fields.
type Params struct {
	// Fleet is the GatewayClass name; it becomes node.cluster.
	Fleet string
	// NodeID identifies the proxy; several proxies may share one.
	NodeID string
	// XDSHost and XDSPort locate the control plane's xDS server.
	XDSHost string
	XDSPort uint32
	// AdminPort is Envoy's admin listener on 127.0.0.1.
	AdminPort uint32
}

// ParamsFor fills Params for a fleet from the xDS address as configured.
// A wildcard listen host (0.0.0.0, ::, "") is not an address a proxy can
// dial, so it becomes 127.0.0.1 and the caller may override XDSHost.
func ParamsFor(fleet, xdsAddress string) (Params, error) {
	host, portStr, err := net.SplitHostPort(xdsAddress)
	if err != nil {
		return Params{}, fmt.Errorf("xds address %q: %w", xdsAddress, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return Params{}, fmt.Errorf("xds address %q: bad port", xdsAddress)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return Params{Fleet: fleet, NodeID: fleet + "-proxy", XDSHost: host, XDSPort: uint32(port), AdminPort: 19000}, nil
}

// Render executes tmpl (the embedded template when empty) and checks that
// the result is a valid Envoy bootstrap: it must decode into the v3
// Bootstrap proto and pass its validation rules, so a broken custom
// template is caught here and not by every proxy of the fleet.
func Render(tmpl string, p Params) ([]byte, error) {
	if p.Fleet == "" {
		return nil, fmt.Errorf("fleet name must not be empty")
	}
	if tmpl == "" {
		tmpl = templates.EnvoyBootstrap
	}
	t, err := template.New("bootstrap").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return nil, fmt.Errorf("bootstrap template: %w", err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, p); err != nil {
		return nil, fmt.Errorf("bootstrap template: %w", err)
	}
	if err := Check(out.Bytes()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Check validates a rendered bootstrap.
func Check(yamlBootstrap []byte) error {
	js, err := yaml.YAMLToJSON(yamlBootstrap)
	if err != nil {
		return fmt.Errorf("bootstrap is not valid YAML: %w", err)
	}
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(js, &b); err != nil {
		return fmt.Errorf("bootstrap does not decode as envoy.config.bootstrap.v3.Bootstrap: %w", err)
	}
	if err := b.ValidateAll(); err != nil {
		return fmt.Errorf("bootstrap is invalid: %w", err)
	}
	if b.GetNode().GetCluster() == "" {
		return fmt.Errorf("bootstrap: node.cluster must name the fleet")
	}
	return nil
}
