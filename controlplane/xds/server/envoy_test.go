package server

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	clusterservice "github.com/envoyproxy/go-control-plane/envoy/service/cluster/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// fakeEnvoy speaks SotW ADS the way Envoy does: wildcard LDS and CDS,
// then EDS and RDS for exactly the names those responses mention,
// ACKing everything in the order it arrives. After every response it
// checks what Envoy needs: each route it holds sends only to clusters it
// holds.
type fakeEnvoy struct {
	c        *adsClient
	clusters map[string]*clusterv3.Cluster
	routes   map[string][]string // route config -> clusters it sends to
	edsNames []string
	rdsNames []string
	last     map[string]*resp
}

type resp struct{ version, nonce string }

func startFakeEnvoy(t *testing.T, addr, fleet string) *fakeEnvoy {
	e := &fakeEnvoy{c: dialADS(t, addr), clusters: map[string]*clusterv3.Cluster{}, routes: map[string][]string{}, last: map[string]*resp{}}
	e.c.send(t, envoyNode("envoy-1", fleet), resource.ClusterType, nil, "", "")
	e.c.send(t, nil, resource.ListenerType, nil, "", "")
	return e
}

// step handles one response.
func (e *fakeEnvoy) step(t *testing.T) {
	t.Helper()
	r := e.c.recv(t)
	e.last[r.GetTypeUrl()] = &resp{r.GetVersionInfo(), r.GetNonce()}
	switch r.GetTypeUrl() {
	case resource.ClusterType:
		e.clusters = map[string]*clusterv3.Cluster{}
		var eds []string
		for _, c := range clusters(t, r.GetResources()) {
			e.clusters[c.GetName()] = c
			if c.GetType() == clusterv3.Cluster_EDS {
				eds = append(eds, c.GetName())
			}
		}
		e.c.ack(t, r, nil)
		e.edsNames = e.resubscribe(t, resource.EndpointType, e.edsNames, eds)
	case resource.ListenerType:
		var rds []string
		for _, l := range listeners(t, r) {
			rds = append(rds, l.GetName()) // route config name = listener name
		}
		e.c.ack(t, r, nil)
		e.rdsNames = e.resubscribe(t, resource.RouteType, e.rdsNames, rds)
	case resource.RouteType:
		for _, rc := range routeConfigs(t, r.GetResources()) {
			e.routes[rc.GetName()] = clusterRefs(rc)
		}
		e.c.ack(t, r, e.rdsNames)
	case resource.EndpointType:
		e.c.ack(t, r, e.edsNames)
	}
	for rc, cs := range e.routes {
		for _, c := range cs {
			if e.clusters[c] == nil {
				t.Fatalf("after a %s response, route config %q sends to cluster %q, which the proxy does not have (has %v)",
					r.GetTypeUrl(), rc, c, slices.Sorted(maps.Keys(e.clusters)))
			}
		}
	}
}

// resubscribe asks for the new set of names of a named type, as Envoy
// does when CDS or LDS changes what it needs.
func (e *fakeEnvoy) resubscribe(t *testing.T, typeURL string, old, names []string) []string {
	slices.Sort(names)
	if slices.Equal(old, names) {
		return old
	}
	var version, nonce string
	if l := e.last[typeURL]; l != nil {
		version, nonce = l.version, l.nonce
	}
	e.c.send(t, nil, typeURL, names, version, nonce)
	return names
}

func clusterRefs(rc *routev3.RouteConfiguration) []string {
	var out []string
	for _, vh := range rc.GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			if c := r.GetRoute().GetCluster(); c != "" {
				out = append(out, c)
			}
			for _, wc := range r.GetRoute().GetWeightedClusters().GetClusters() {
				out = append(out, wc.GetName())
			}
		}
	}
	return out
}

// converge steps until the proxy's route config "http-80" sends exactly
// to want and it holds exactly the clusters of want.
func (e *fakeEnvoy) converge(t *testing.T, want ...string) {
	t.Helper()
	slices.Sort(want)
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		if slices.Equal(slices.Sorted(slices.Values(e.routes["http-80"])), want) &&
			slices.Equal(slices.Sorted(maps.Keys(e.clusters)), want) {
			return
		}
		e.step(t)
	}
	t.Fatalf("never converged on %v", want)
}

func singleRouteIR(cs ...*ir.Cluster) *ir.Xds {
	var ws []ir.WeightedCluster
	for _, c := range cs {
		ws = append(ws, to(c, 1))
	}
	return &ir.Xds{
		Fleet: "eg",
		Listeners: []*ir.Listener{httpListener("http-80", 80,
			&ir.VirtualHost{Name: "all", Hostname: "*", Routes: []*ir.Route{route("r", prefix("/"), forward(ws...))}})},
		Clusters: cs,
	}
}

func ipCluster(name, ip string) *ir.Cluster {
	return &ir.Cluster{Name: name, Endpoints: []ir.Endpoint{{Host: ip, Port: 80}}}
}

// TestEnvoyNeverRoutesToAMissingCluster replaces a route's only cluster
// with another and back, and checks at every response that the proxy
// holds every cluster its routes use.
func TestEnvoyNeverRoutesToAMissingCluster(t *testing.T) {
	srv, addr := startServer(t)
	x, y := ipCluster("x", "10.0.0.1"), ipCluster("y", "10.0.0.2")
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(x))); err != nil {
		t.Fatal(err)
	}
	e := startFakeEnvoy(t, addr, "eg")
	e.converge(t, "x")
	for _, next := range [][]*ir.Cluster{{y}, {x, y}, {x}, {y}} {
		if err := srv.SetFleet("eg", translate(t, singleRouteIR(next...))); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range next {
			names = append(names, c.Name)
		}
		t.Logf("routes now send to %v", names)
		e.converge(t, names...)
	}
}

func TestEnvoySotWGetsFleetResources(t *testing.T) {
	srv, addr := startServer(t)
	x := ipCluster("x", "10.0.0.1")
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(x))); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetFleet("other", translate(t, singleRouteIR(ipCluster("z", "10.0.0.9")))); err != nil {
		t.Fatal(err)
	}
	e := startFakeEnvoy(t, addr, "eg")
	e.converge(t, "x")
	if e.clusters["x"].GetType() != clusterv3.Cluster_EDS {
		t.Errorf("cluster x: %v", e.clusters["x"])
	}
	// Everything is ACKed and nothing changed: the server stays quiet.
	e.c.expectNone(t, 300*time.Millisecond)
	if n := srv.ConnectedProxies("eg"); n != 1 {
		t.Errorf("ConnectedProxies = %d", n)
	}
}

func TestNodeWithoutFleetIsRefused(t *testing.T) {
	_, addr := startServer(t)
	c := dialADS(t, addr)
	c.send(t, envoyNode("lost", ""), resource.ClusterType, nil, "", "")
	select {
	case err := <-c.err:
		if status.Code(err) != codes.InvalidArgument {
			t.Fatalf("stream ended with %v, want InvalidArgument", err)
		}
	case r := <-c.responses:
		t.Fatalf("got a response: %v", r)
	case <-time.After(hangGuard):
		t.Fatal("stream not refused")
	}
}

// TestSotWNackIsNotAnsweredWithTheSameVersion drives the NACK by hand:
// after a NACK the server must wait for a new snapshot.
func TestSotWNackIsNotAnsweredWithTheSameVersion(t *testing.T) {
	srv, addr := startServer(t)
	x, y := ipCluster("x", "10.0.0.1"), ipCluster("y", "10.0.0.2")
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(x))); err != nil {
		t.Fatal(err)
	}
	c := dialADS(t, addr)
	c.send(t, envoyNode("envoy-1", "eg"), resource.ClusterType, nil, "", "")
	first := c.recv(t)
	c.ack(t, first, nil)

	if err := srv.SetFleet("eg", translate(t, singleRouteIR(x, y))); err != nil {
		t.Fatal(err)
	}
	second := c.recv(t)
	// Reject it, reporting the version we still run, as Envoy does.
	c.sendReq(t, &discovery.DiscoveryRequest{TypeUrl: resource.ClusterType, VersionInfo: first.GetVersionInfo(),
		ResponseNonce: second.GetNonce(), ErrorDetail: nack("cluster y: no")})
	c.expectNone(t, 500*time.Millisecond)
	n := srv.Nacks("eg")
	if len(n) != 1 || n[0].Version != second.GetVersionInfo() || n[0].Error != "cluster y: no" || n[0].Proxyless {
		t.Fatalf("Nacks = %+v", n)
	}
	// The next snapshot is sent, and its ACK clears the record.
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(y))); err != nil {
		t.Fatal(err)
	}
	third := c.recv(t)
	if got := clusters(t, third.GetResources()); len(got) == 0 {
		t.Fatal("empty CDS")
	}
	c.ack(t, third, nil)
	eventually(t, "NACK cleared", func() error {
		if len(srv.Nacks("eg")) != 0 {
			return errNotYet
		}
		return nil
	})
}

// TestPerTypeCDSStream uses the non-aggregated CDS service, as a proxy
// without ADS would.
func TestPerTypeCDSStream(t *testing.T) {
	srv, addr := startServer(t)
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(ipCluster("x", "10.0.0.1")))); err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	st, err := clusterservice.NewClusterDiscoveryServiceClient(conn).StreamClusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Send(&discovery.DiscoveryRequest{Node: envoyNode("envoy-cds", "eg")}); err != nil {
		t.Fatal(err)
	}
	r, err := st.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if cs := clusters(t, r.GetResources()); len(cs) != 1 || cs[0].GetName() != "x" {
		t.Fatalf("CDS: %v", cs)
	}
}
