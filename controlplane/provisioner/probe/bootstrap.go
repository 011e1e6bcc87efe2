// Package probe is a small xDS client that behaves as an Envoy proxy with a
// given bootstrap would: it connects with the bootstrap's node identity,
// subscribes over ADS, validates what it receives, ACKs or NACKs it, and
// reports the listeners, routes and clusters it holds. `envoy-gateway probe`
// runs it; modules/local starts it in place of Envoy where no Envoy binary
// exists, so that a fleet is real processes holding real xDS streams.
package probe

import (
	"fmt"
	"net"
	"os"
	"strconv"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/envoybootstrap"
)

// Target is what the probe takes from a bootstrap: who it is and where
// the ADS server is.
type Target struct {
	Node    *corev3.Node
	Address string
}

// LoadBootstrap reads an Envoy bootstrap (YAML or JSON) and finds the ADS
// cluster's address. nodeID, when set, replaces node.id as Envoy's
// --service-node does.
func LoadBootstrap(path, nodeID string) (*Target, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := envoybootstrap.Check(data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(js, &b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	node := proto.Clone(b.GetNode()).(*corev3.Node)
	if nodeID != "" {
		node.Id = nodeID
	}
	node.UserAgentName = "envoy-gateway-probe"
	addr, err := adsAddress(&b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Target{Node: node, Address: addr}, nil
}

// adsAddress follows dynamic_resources.ads_config to its static cluster's
// first endpoint.
func adsAddress(b *bootstrapv3.Bootstrap) (string, error) {
	svcs := b.GetDynamicResources().GetAdsConfig().GetGrpcServices()
	if len(svcs) == 0 || svcs[0].GetEnvoyGrpc() == nil {
		return "", fmt.Errorf("dynamic_resources.ads_config.grpc_services[0].envoy_grpc: missing")
	}
	name := svcs[0].GetEnvoyGrpc().GetClusterName()
	for _, c := range b.GetStaticResources().GetClusters() {
		if c.GetName() != name {
			continue
		}
		for _, l := range c.GetLoadAssignment().GetEndpoints() {
			for _, e := range l.GetLbEndpoints() {
				sa := e.GetEndpoint().GetAddress().GetSocketAddress()
				if sa != nil {
					return net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue()))), nil
				}
			}
		}
		return "", fmt.Errorf("static_resources.clusters[%s]: no socket address endpoint", name)
	}
	return "", fmt.Errorf("static_resources.clusters: no cluster %q for ADS", name)
}
