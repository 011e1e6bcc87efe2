package server

import (
	"errors"
	"fmt"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

var errNotYet = errors.New("not yet")

func errNotYetf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// adsClient is a raw SotW ADS stream, for driving the protocol by hand as
// Envoy would.
type adsClient struct {
	stream    discovery.AggregatedDiscoveryService_StreamAggregatedResourcesClient
	responses chan *discovery.DiscoveryResponse
	err       chan error
}

func dialADS(t *testing.T, addr string) *adsClient {
	t.Helper()
	ads, ctx := adsServiceClient(t, addr)
	st, err := ads.StreamAggregatedResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := &adsClient{stream: st, responses: make(chan *discovery.DiscoveryResponse, 100), err: make(chan error, 1)}
	go func() {
		for {
			r, err := st.Recv()
			if err != nil {
				c.err <- err
				return
			}
			c.responses <- r
		}
	}()
	return c
}

func envoyNode(id, fleet string) *core.Node {
	return &core.Node{Id: id, Cluster: fleet, UserAgentName: "envoy"}
}

func (c *adsClient) send(t *testing.T, node *core.Node, typeURL string, names []string, version, nonce string) {
	t.Helper()
	c.sendReq(t, &discovery.DiscoveryRequest{Node: node, TypeUrl: typeURL, ResourceNames: names, VersionInfo: version, ResponseNonce: nonce})
}

func (c *adsClient) sendReq(t *testing.T, r *discovery.DiscoveryRequest) {
	t.Helper()
	if err := c.stream.Send(r); err != nil {
		t.Fatal(err)
	}
}

// ack accepts r, keeping the subscription to names.
func (c *adsClient) ack(t *testing.T, r *discovery.DiscoveryResponse, names []string) {
	t.Helper()
	c.send(t, nil, r.GetTypeUrl(), names, r.GetVersionInfo(), r.GetNonce())
}

func (c *adsClient) recv(t *testing.T) *discovery.DiscoveryResponse {
	t.Helper()
	select {
	case r := <-c.responses:
		return r
	case err := <-c.err:
		t.Fatalf("stream ended: %v", err)
	case <-time.After(hangGuard):
		t.Fatal("no response")
	}
	return nil
}

// expectNone fails if a response arrives within d. d is how long a
// misbehaving server gets to show itself, not a latency requirement.
func (c *adsClient) expectNone(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case r := <-c.responses:
		t.Fatalf("unexpected %s response, version %s", r.GetTypeUrl(), r.GetVersionInfo())
	case <-time.After(d):
	}
}

func unpack[T proto.Message](t *testing.T, anys []*anypb.Any, newT func() T) []T {
	t.Helper()
	var out []T
	for _, a := range anys {
		m := newT()
		if err := a.UnmarshalTo(m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func listeners(t *testing.T, r *discovery.DiscoveryResponse) []*listenerv3.Listener {
	return unpack(t, r.GetResources(), func() *listenerv3.Listener { return &listenerv3.Listener{} })
}

func clusters(t *testing.T, anys []*anypb.Any) []*clusterv3.Cluster {
	return unpack(t, anys, func() *clusterv3.Cluster { return &clusterv3.Cluster{} })
}

func routeConfigs(t *testing.T, anys []*anypb.Any) []*routev3.RouteConfiguration {
	return unpack(t, anys, func() *routev3.RouteConfiguration { return &routev3.RouteConfiguration{} })
}

func assignments(t *testing.T, anys []*anypb.Any) []*endpointv3.ClusterLoadAssignment {
	return unpack(t, anys, func() *endpointv3.ClusterLoadAssignment { return &endpointv3.ClusterLoadAssignment{} })
}

func nack(msg string) *statuspb.Status { return &statuspb.Status{Code: 3, Message: msg} }
