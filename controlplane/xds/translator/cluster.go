package translator

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// connectTimeout bounds one TCP connect to a backend.
const connectTimeout = 10 * time.Second

// buildClusters renders one IR cluster as the clusters and EDS assignments
// of variant v: usually one cluster, plus its assignment when it uses EDS.
func buildClusters(c *ir.Cluster, v variant, path string) ([]*clusterv3.Cluster, []*endpointv3.ClusterLoadAssignment, error) {
	eps, err := endpoints(c, path)
	if err != nil {
		return nil, nil, err
	}
	if c.TLS != nil && v == grpcVariant {
		// gRPC takes upstream CAs only from certificate providers in its
		// own bootstrap and NACKs an inline one. Plaintext would skip the
		// verification the policy demands, so the cluster fails closed:
		// no endpoints, and calls end UNAVAILABLE.
		return []*clusterv3.Cluster{edsCluster(c.Name)}, []*endpointv3.ClusterLoadAssignment{loadAssignment(c.Name, nil)}, nil
	}
	if c.IsIP() {
		cl := edsCluster(c.Name)
		if err := setProtocol(cl, c, v, path); err != nil {
			return nil, nil, err
		}
		if err := setUpstreamTLS(cl, c, path); err != nil {
			return nil, nil, err
		}
		return []*clusterv3.Cluster{cl}, []*endpointv3.ClusterLoadAssignment{loadAssignment(c.Name, eps)}, nil
	}
	if v == grpcVariant {
		return grpcDNSClusters(c.Name, eps), nil, nil
	}
	cl := baseCluster(c.Name, clusterv3.Cluster_STRICT_DNS)
	cl.LoadAssignment = loadAssignment(c.Name, eps)
	cl.DnsLookupFamily = clusterv3.Cluster_V4_PREFERRED
	cl.RespectDnsTtl = true
	if err := setProtocol(cl, c, v, path); err != nil {
		return nil, nil, err
	}
	if err := setUpstreamTLS(cl, c, path); err != nil {
		return nil, nil, err
	}
	return []*clusterv3.Cluster{cl}, nil, nil
}

// setProtocol makes Envoy speak cleartext HTTP/2 to an HTTP2 cluster. A
// proxyless gRPC client always does, so its variant needs nothing.
func setProtocol(cl *clusterv3.Cluster, c *ir.Cluster, v variant, path string) error {
	switch c.Protocol {
	case "":
		return nil
	case ir.UpstreamHTTP2:
	default:
		return fieldErr(path+".protocol", "unsupported protocol %q", c.Protocol)
	}
	if v == grpcVariant {
		return nil
	}
	opts, err := pack(&httpv3.HttpProtocolOptions{
		UpstreamProtocolOptions: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_{ExplicitHttpConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig{
			ProtocolConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{Http2ProtocolOptions: &corev3.Http2ProtocolOptions{}},
		}},
	}, path+".protocol")
	if err != nil {
		return err
	}
	cl.TypedExtensionProtocolOptions = map[string]*anypb.Any{httpProtocolOptionsName: opts}
	return nil
}

// httpProtocolOptionsName is the key Envoy looks the options up by.
const httpProtocolOptionsName = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"

// clusterNames are the xDS clusters that carry IR cluster c's traffic in v.
func clusterNames(c *ir.Cluster, v variant) []string {
	if !splitForGRPC(c, v) {
		return []string{c.Name}
	}
	n := len(dedupe(c.Endpoints))
	names := make([]string, 0, n)
	for i := range n {
		names = append(names, dnsPartName(c.Name, i))
	}
	return names
}

// splitForGRPC reports whether v carries c's traffic in more than one
// cluster: the gRPC variant's DNS clusters of several hostnames (see
// grpcDNSClusters).
func splitForGRPC(c *ir.Cluster, v variant) bool {
	return v == grpcVariant && c.TLS == nil && !c.IsIP() && len(dedupe(c.Endpoints)) >= 2
}

// grpcDNSClusters stands in for STRICT_DNS, which gRPC NACKs. gRPC's
// LOGICAL_DNS takes exactly one hostname, so a cluster of k hostnames
// becomes k clusters "<name>#<i>", and routes split its weight evenly
// among them (scaleSplit); traffic is then spread over the hostnames as
// STRICT_DNS would.
func grpcDNSClusters(name string, eps []ir.Endpoint) []*clusterv3.Cluster {
	if len(eps) == 1 {
		return []*clusterv3.Cluster{logicalDNSCluster(name, eps[0])}
	}
	out := make([]*clusterv3.Cluster, 0, len(eps))
	for i, e := range eps {
		out = append(out, logicalDNSCluster(dnsPartName(name, i), e))
	}
	return out
}

func dnsPartName(name string, i int) string {
	return fmt.Sprintf("%s#%d", name, i)
}

func logicalDNSCluster(name string, e ir.Endpoint) *clusterv3.Cluster {
	cl := baseCluster(name, clusterv3.Cluster_LOGICAL_DNS)
	cl.LoadAssignment = loadAssignment(name, []ir.Endpoint{e})
	return cl
}

func edsCluster(name string) *clusterv3.Cluster {
	cl := baseCluster(name, clusterv3.Cluster_EDS)
	cl.EdsClusterConfig = &clusterv3.Cluster_EdsClusterConfig{EdsConfig: adsConfigSource()}
	return cl
}

func baseCluster(name string, t clusterv3.Cluster_DiscoveryType) *clusterv3.Cluster {
	return &clusterv3.Cluster{
		Name:                 name,
		ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: t},
		ConnectTimeout:       durationpb.New(connectTimeout),
		LbPolicy:             clusterv3.Cluster_ROUND_ROBIN,
	}
}

// loadAssignment puts every endpoint in one locality. gRPC NACKs a
// locality without an ID ("locality without ID") and ignores one with
// weight 0, so both are always set; Envoy needs neither and is not affected
// by them while there is a single locality.
func loadAssignment(name string, eps []ir.Endpoint) *endpointv3.ClusterLoadAssignment {
	la := &endpointv3.ClusterLoadAssignment{ClusterName: name}
	if len(eps) == 0 {
		return la
	}
	lle := &endpointv3.LocalityLbEndpoints{
		Locality:            &corev3.Locality{},
		LoadBalancingWeight: wrapperspb.UInt32(1),
	}
	for _, e := range eps {
		lle.LbEndpoints = append(lle.LbEndpoints, &endpointv3.LbEndpoint{
			HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
				Address: socketAddress(e.Host, e.Port),
			}},
		})
	}
	la.Endpoints = []*endpointv3.LocalityLbEndpoints{lle}
	return la
}

// endpoints are c's endpoints, checked, sorted and without duplicates: gRPC
// NACKs an assignment that lists one address twice, and the same address
// can come from two EndpointSlices.
func endpoints(c *ir.Cluster, path string) ([]ir.Endpoint, error) {
	for i, e := range c.Endpoints {
		if e.Host == "" {
			return nil, fieldErr(fmt.Sprintf("%s.endpoints[%d].host", path, i), "must not be empty")
		}
		if e.Port == 0 || e.Port > 65535 {
			return nil, fieldErr(fmt.Sprintf("%s.endpoints[%d].port", path, i), "%d is not a port", e.Port)
		}
	}
	return dedupe(c.Endpoints), nil
}

func dedupe(eps []ir.Endpoint) []ir.Endpoint {
	out := slices.Clone(eps)
	slices.SortFunc(out, func(a, b ir.Endpoint) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Port, b.Port))
	})
	return slices.Compact(out)
}
