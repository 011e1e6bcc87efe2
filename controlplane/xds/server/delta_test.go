package server

import (
	"slices"
	"testing"
	"time"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

type deltaClient struct {
	stream    discovery.AggregatedDiscoveryService_DeltaAggregatedResourcesClient
	responses chan *discovery.DeltaDiscoveryResponse
	err       chan error
}

func dialDelta(t *testing.T, addr string) *deltaClient {
	t.Helper()
	ads, ctx := adsServiceClient(t, addr)
	st, err := ads.DeltaAggregatedResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := &deltaClient{stream: st, responses: make(chan *discovery.DeltaDiscoveryResponse, 100), err: make(chan error, 1)}
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

func (c *deltaClient) send(t *testing.T, r *discovery.DeltaDiscoveryRequest) {
	t.Helper()
	if err := c.stream.Send(r); err != nil {
		t.Fatal(err)
	}
}

func (c *deltaClient) recv(t *testing.T) *discovery.DeltaDiscoveryResponse {
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

func (c *deltaClient) expectNone(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case r := <-c.responses:
		t.Fatalf("unexpected %s response: %d resources, removed %v", r.GetTypeUrl(), len(r.GetResources()), r.GetRemovedResources())
	case <-time.After(d):
	}
}

func deltaNames(r *discovery.DeltaDiscoveryResponse) []string {
	var out []string
	for _, res := range r.GetResources() {
		out = append(out, res.GetName())
	}
	slices.Sort(out)
	return out
}

func deltaAnys(r *discovery.DeltaDiscoveryResponse) []*anypb.Any {
	var out []*anypb.Any
	for _, res := range r.GetResources() {
		out = append(out, res.GetResource())
	}
	return out
}

// TestDeltaADS drives an incremental ADS stream: the fleet's resources
// arrive, an ACK is answered with nothing, an update sends only what
// changed, a removal is reported as removed, and a NACK is recorded without
// any re-send.
func TestDeltaADS(t *testing.T) {
	srv, addr := startServer(t)
	x, y := ipCluster("x", "10.0.0.1"), ipCluster("y", "10.0.0.2")
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(x))); err != nil {
		t.Fatal(err)
	}
	c := dialDelta(t, addr)
	c.send(t, &discovery.DeltaDiscoveryRequest{Node: envoyNode("envoy-d", "eg"), TypeUrl: resource.ClusterType})
	r := c.recv(t)
	if got := deltaNames(r); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("CDS: %v", got)
	}
	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.ClusterType, ResponseNonce: r.GetNonce()})

	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.EndpointType, ResourceNamesSubscribe: []string{"x"}})
	r = c.recv(t)
	las := assignments(t, deltaAnys(r))
	if len(las) != 1 || las[0].GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress().GetSocketAddress().GetAddress() != "10.0.0.1" {
		t.Fatalf("EDS: %v", las)
	}
	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.EndpointType, ResponseNonce: r.GetNonce()})
	c.expectNone(t, 300*time.Millisecond)

	// Adding y sends y alone.
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(x, y))); err != nil {
		t.Fatal(err)
	}
	r = c.recv(t)
	if got := deltaNames(r); r.GetTypeUrl() != resource.ClusterType || !slices.Equal(got, []string{"y"}) || len(r.GetRemovedResources()) != 0 {
		t.Fatalf("update: %s %v removed %v", r.GetTypeUrl(), got, r.GetRemovedResources())
	}

	// A NACK is recorded, and nothing is re-sent.
	sent := srv.sentCount("eg", resource.ClusterType)
	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.ClusterType, ResponseNonce: r.GetNonce(), ErrorDetail: nack("y: no")})
	c.expectNone(t, 500*time.Millisecond)
	if n := srv.Nacks("eg"); len(n) != 1 || n[0].NodeID != "envoy-d" || n[0].Error != "y: no" || n[0].TypeURL != resource.ClusterType {
		t.Fatalf("Nacks = %+v", n)
	}
	if got := srv.sentCount("eg", resource.ClusterType); got != sent {
		t.Fatalf("%d CDS responses after the NACK", got-sent)
	}

	// Removing y reports it removed; the ACK clears the NACK.
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(x))); err != nil {
		t.Fatal(err)
	}
	r = c.recv(t)
	if r.GetTypeUrl() != resource.ClusterType || len(r.GetResources()) != 0 || !slices.Equal(r.GetRemovedResources(), []string{"y"}) {
		t.Fatalf("removal: %s %v removed %v", r.GetTypeUrl(), deltaNames(r), r.GetRemovedResources())
	}
	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.ClusterType, ResponseNonce: r.GetNonce()})
	eventually(t, "NACK cleared", func() error {
		if len(srv.Nacks("eg")) != 0 {
			return errNotYet
		}
		return nil
	})
	if n := srv.ConnectedProxies("eg"); n != 1 {
		t.Errorf("ConnectedProxies = %d", n)
	}
}
