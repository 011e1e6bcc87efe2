package server

import (
	"testing"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	streamv3 "github.com/envoyproxy/go-control-plane/pkg/server/stream/v3"
	"google.golang.org/protobuf/proto"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

func twoClusterFleet(t *testing.T) *ir.Xds {
	a := &ir.Cluster{Name: "a", Endpoints: []ir.Endpoint{{Host: "127.0.0.1", Port: 1}}}
	b := &ir.Cluster{Name: "b", Endpoints: []ir.Endpoint{{Host: "127.0.0.1", Port: 2}}}
	return &ir.Xds{Fleet: "eg", Clusters: []*ir.Cluster{a, b}, Listeners: []*ir.Listener{
		httpListener("http", 8080, &ir.VirtualHost{Name: "vh", Hostname: "*", Routes: []*ir.Route{
			route("r", prefix("/"), forward(to(a, 1), to(b, 1))),
		}}),
	}}
}

// watch opens a SotW watch as the ADS server does and returns its
// response, or fails.
func watch(t *testing.T, c cache.Cache, typeURL string, names []string) *discovery.DiscoveryResponse {
	t.Helper()
	out := make(chan cache.Response, types.UnknownType)
	req := &discovery.DiscoveryRequest{Node: &core.Node{Id: "p", Cluster: "eg", UserAgentName: "envoy"}, TypeUrl: typeURL, ResourceNames: names}
	cancel, err := c.CreateWatch(req, streamv3.NewSotwSubscription(names, true), out)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	select {
	case r := <-out:
		resp, err := r.GetDiscoveryResponse()
		if err != nil {
			t.Fatal(err)
		}
		return resp
	case <-time.After(hangGuard):
		t.Fatalf("no %s response", typeURL)
		return nil
	}
}

// Every stream of a fleet gets the same encoded resources, and they are
// the resources that were set.
func TestStreamsShareEncodings(t *testing.T) {
	srv := New(testLogger(t))
	rs := translate(t, twoClusterFleet(t))
	if err := srv.SetFleet("eg", rs); err != nil {
		t.Fatal(err)
	}
	u := typeURL(types.Cluster)
	first := watch(t, srv.envoyCache, u, nil)
	second := watch(t, srv.envoyCache, u, nil)
	if len(first.GetResources()) != len(rs.Envoy.Clusters) || len(second.GetResources()) != len(rs.Envoy.Clusters) {
		t.Fatalf("got %d and %d clusters, want %d", len(first.GetResources()), len(second.GetResources()), len(rs.Envoy.Clusters))
	}
	if first == second {
		t.Fatal("two streams got one DiscoveryResponse; each needs its own for its nonce")
	}
	got := map[string]bool{}
	for i, a := range first.GetResources() {
		if second.GetResources()[i] != a {
			t.Errorf("resource %d encoded once per stream, want shared", i)
		}
		c, err := a.UnmarshalNew()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range rs.Envoy.Clusters {
			if proto.Equal(c, want) {
				got[want.GetName()] = true
			}
		}
	}
	if len(got) != len(rs.Envoy.Clusters) {
		t.Errorf("clusters sent %v, want every one of %d set", got, len(rs.Envoy.Clusters))
	}
	// A named subset shares the same bytes.
	sub := watch(t, srv.envoyCache, typeURL(types.Endpoint), []string{"a", "b"})
	all := watch(t, srv.envoyCache, typeURL(types.Endpoint), nil)
	if len(sub.GetResources()) != 2 {
		t.Fatalf("named EDS request got %d assignments, want 2", len(sub.GetResources()))
	}
	for _, a := range sub.GetResources() {
		found := false
		for _, b := range all.GetResources() {
			found = found || a == b
		}
		if !found {
			t.Errorf("named EDS response re-encoded an assignment")
		}
	}
}

// A cancelled watch's answer is in the stream's channel when cancel
// returns, as it would be had the cache written it there itself.
func TestCancelDeliversWhatWasAnswered(t *testing.T) {
	srv := New(testLogger(t))
	out := make(chan cache.Response, types.UnknownType)
	req := &discovery.DiscoveryRequest{Node: &core.Node{Id: "p", Cluster: "eg", UserAgentName: "envoy"}, TypeUrl: typeURL(types.Listener)}
	cancel, err := srv.envoyCache.CreateWatch(req, streamv3.NewSotwSubscription(nil, true), out)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetFleet("eg", translate(t, twoClusterFleet(t))); err != nil {
		t.Fatal(err)
	}
	cancel()
	if len(out) != 1 {
		t.Fatalf("%d responses in the channel after cancel, want the 1 answered", len(out))
	}
}

// Responses on one channel keep the order the cache wrote them in.
func TestOrderedResponsesKeepOrder(t *testing.T) {
	srv := New(testLogger(t))
	out := make(chan cache.Response, types.UnknownType)
	node := &core.Node{Id: "p", Cluster: "eg", UserAgentName: "envoy"}
	// Opened in reverse so that only the cache's ordering puts CDS first.
	order := []types.ResponseType{types.Route, types.Listener, types.Endpoint, types.Cluster}
	for _, typ := range order {
		req := &discovery.DiscoveryRequest{Node: node, TypeUrl: typeURL(typ)}
		if typ == types.Route {
			req.ResourceNames = []string{"http"}
		}
		if typ == types.Endpoint {
			req.ResourceNames = []string{"a", "b"}
		}
		cancel, err := srv.envoyCache.CreateWatch(req, streamv3.NewSotwSubscription(req.ResourceNames, true), out)
		if err != nil {
			t.Fatal(err)
		}
		defer cancel()
	}
	if err := srv.SetFleet("eg", translate(t, twoClusterFleet(t))); err != nil {
		t.Fatal(err)
	}
	want := []string{typeURL(types.Cluster), typeURL(types.Endpoint), typeURL(types.Listener), typeURL(types.Route)}
	for _, w := range want {
		select {
		case r := <-out:
			if got := r.GetRequest().GetTypeUrl(); got != w {
				t.Fatalf("got %s, want %s next", got, w)
			}
		case <-time.After(hangGuard):
			t.Fatalf("no %s response", w)
		}
	}
}

// The server cancels some watches twice; the second must do nothing.
func TestCancelTwice(t *testing.T) {
	srv := New(testLogger(t))
	out := make(chan cache.Response, types.UnknownType)
	req := &discovery.DiscoveryRequest{Node: &core.Node{Id: "p", Cluster: "eg", UserAgentName: "envoy"}, TypeUrl: typeURL(types.Listener)}
	first, err := srv.envoyCache.CreateWatch(req, streamv3.NewSotwSubscription(nil, true), out)
	if err != nil {
		t.Fatal(err)
	}
	second, err := srv.envoyCache.CreateWatch(req, streamv3.NewSotwSubscription(nil, true), out)
	if err != nil {
		t.Fatal(err)
	}
	first()
	first()
	// The second watch on the channel must still be answered.
	if err := srv.SetFleet("eg", translate(t, twoClusterFleet(t))); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out:
	case <-time.After(hangGuard):
		t.Fatal("the remaining watch was not answered")
	}
	second()
	second()
}
