package server

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// What an Envoy ends up holding after each of a random series of updates
// is exactly the translator's output, byte for byte: the shared encodings,
// selections and left-out unchanged route configurations of sotw.go give
// what encoding each resource with proto.Marshal would.
func TestADSStreamConvergesOnTranslation(t *testing.T) {
	srv, addr := startServer(t)
	rng := rand.New(rand.NewPCG(7, 11))
	// The runner's cache: what did not change keeps its pointers, so the
	// server leaves unchanged route configurations out.
	cache := translator.NewCache()
	x := randomFleet(rng)
	rs, err := cache.Translate(x)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetFleet("eg", rs); err != nil {
		t.Fatal(err)
	}
	e := runEnvoy(t, addr, "eg")
	for step := range 30 {
		x = evolve(rng, x)
		rs, err := cache.Translate(x)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.SetFleet("eg", rs); err != nil {
			t.Fatal(err)
		}
		want := marshalled(t, &rs.Envoy)
		eventually(t, fmt.Sprintf("step %d: the proxy holds the translation", step), func() error {
			return e.holds(want)
		})
	}
}

// evolve returns a new fleet: a random one, or x with one listener's
// routes redrawn (the others' IR untouched).
func evolve(rng *rand.Rand, x *ir.Xds) *ir.Xds {
	next := randomFleet(rng)
	if rng.IntN(3) == 0 {
		return next
	}
	out := *x
	out.Listeners = slices.Clone(x.Listeners)
	i := rng.IntN(len(out.Listeners))
	l := *out.Listeners[i]
	l.VirtualHosts = randomVhosts(rng, x.Clusters)
	out.Listeners[i] = &l
	return &out
}

// randomFleet is a fleet of random IP clusters and one or two HTTP
// listeners whose routes send to random clusters.
func randomFleet(rng *rand.Rand) *ir.Xds {
	x := &ir.Xds{Fleet: "eg"}
	for i := range 2 + rng.IntN(6) {
		c := &ir.Cluster{Name: fmt.Sprintf("c%d", i)}
		for range 1 + rng.IntN(2) {
			c.Endpoints = append(c.Endpoints, ir.Endpoint{Host: fmt.Sprintf("10.0.%d.%d", rng.IntN(4), 1+rng.IntN(200)), Port: 80})
		}
		x.Clusters = append(x.Clusters, c)
	}
	for _, port := range []uint32{80, 8080}[:1+rng.IntN(2)] {
		l := httpListener(fmt.Sprintf("http-%d", port), port, randomVhosts(rng, x.Clusters)...)
		x.Listeners = append(x.Listeners, l)
	}
	return x
}

func randomVhosts(rng *rand.Rand, clusters []*ir.Cluster) []*ir.VirtualHost {
	var out []*ir.VirtualHost
	for v := range 1 + rng.IntN(3) {
		vh := &ir.VirtualHost{Name: fmt.Sprintf("vh%d", v), Hostname: fmt.Sprintf("h%d.example.com", v)}
		for r := range 1 + rng.IntN(3) {
			c := clusters[rng.IntN(len(clusters))]
			vh.Routes = append(vh.Routes, route(fmt.Sprintf("r%d", r), prefix(fmt.Sprintf("/p%d", rng.IntN(5))), forward(to(c, 1+uint32(rng.IntN(3))))))
		}
		out = append(out, vh)
	}
	return out
}

// marshalled is r's resources by type and name, encoded as proto.Marshal
// does (deterministically, as go-control-plane encodes).
func marshalled(t *testing.T, r *translator.Resources) map[string]map[string][]byte {
	t.Helper()
	out := map[string]map[string][]byte{}
	add := func(typeURL, name string, m proto.Message) {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if out[typeURL] == nil {
			out[typeURL] = map[string][]byte{}
		}
		out[typeURL][name] = b
	}
	for _, c := range r.Clusters {
		add(resource.ClusterType, c.GetName(), c)
	}
	for _, la := range r.Endpoints {
		add(resource.EndpointType, la.GetClusterName(), la)
	}
	for _, l := range r.Listeners {
		add(resource.ListenerType, l.GetName(), l)
	}
	for _, rc := range r.Routes {
		add(resource.RouteType, rc.GetName(), rc)
	}
	return out
}

// envoyState is a simulated Envoy on one ADS stream: wildcard CDS and LDS,
// EDS and RDS for exactly the names those name, every response ACKed.
type envoyState struct {
	stream discovery.AggregatedDiscoveryService_StreamAggregatedResourcesClient

	mu   sync.Mutex
	held map[string]map[string][]byte
	subs map[string][]string
	last map[string]*discovery.DiscoveryResponse
	err  error
}

func runEnvoy(t *testing.T, addr, fleet string) *envoyState {
	t.Helper()
	ads, ctx := adsServiceClient(t, addr)
	// Its own cancel: the receiver below must end before the cleanup
	// waits for it, and the helper's cleanups run after this test's.
	ctx, cancel := context.WithCancel(ctx)
	st, err := ads.StreamAggregatedResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := &envoyState{stream: st, held: map[string]map[string][]byte{}, subs: map[string][]string{}, last: map[string]*discovery.DiscoveryResponse{}}
	for _, r := range []*discovery.DiscoveryRequest{{Node: envoyNode("envoy-eq", fleet), TypeUrl: resource.ClusterType}, {TypeUrl: resource.ListenerType}} {
		if err := st.Send(r); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for {
			r, err := st.Recv()
			if err != nil {
				return
			}
			if err := e.handle(r); err != nil {
				e.mu.Lock()
				e.err = err
				e.mu.Unlock()
				return
			}
		}
	}()
	return e
}

func (e *envoyState) handle(r *discovery.DiscoveryResponse) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	typeURL := r.GetTypeUrl()
	got := map[string][]byte{}
	for _, a := range r.GetResources() {
		name, err := resourceName(typeURL, a.GetValue())
		if err != nil {
			return err
		}
		got[name] = a.GetValue()
	}
	switch typeURL {
	case resource.ClusterType, resource.ListenerType:
		// Full state.
		e.held[typeURL] = got
	default:
		// EDS and RDS may leave out what did not change.
		if e.held[typeURL] == nil {
			e.held[typeURL] = map[string][]byte{}
		}
		maps.Copy(e.held[typeURL], got)
	}
	e.last[typeURL] = r
	if err := e.send(typeURL); err != nil {
		return err
	}
	dep, names := "", []string(nil)
	switch typeURL {
	case resource.ClusterType:
		dep = resource.EndpointType
		for _, b := range got {
			var c clusterv3.Cluster
			if err := proto.Unmarshal(b, &c); err != nil {
				return err
			}
			if c.GetType() == clusterv3.Cluster_EDS {
				names = append(names, cmp.Or(c.GetEdsClusterConfig().GetServiceName(), c.GetName()))
			}
		}
		slices.Sort(names)
	case resource.ListenerType:
		dep = resource.RouteType
		for _, b := range got {
			n, err := rdsName(b)
			if err != nil {
				return err
			}
			names = append(names, n)
		}
		slices.Sort(names)
	}
	if dep == "" || slices.Equal(names, e.subs[dep]) {
		return nil
	}
	e.subs[dep] = names
	// What is no longer asked for is no longer held.
	maps.DeleteFunc(e.held[dep], func(n string, _ []byte) bool { return !slices.Contains(names, n) })
	return e.send(dep)
}

func (e *envoyState) send(typeURL string) error {
	req := &discovery.DiscoveryRequest{TypeUrl: typeURL, ResourceNames: e.subs[typeURL]}
	if l := e.last[typeURL]; l != nil {
		req.VersionInfo, req.ResponseNonce = l.GetVersionInfo(), l.GetNonce()
	}
	return e.stream.Send(req)
}

// holds reports whether the proxy holds exactly want.
func (e *envoyState) holds(want map[string]map[string][]byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return fmt.Errorf("proxy failed: %w", e.err)
	}
	for _, typeURL := range []string{resource.ClusterType, resource.EndpointType, resource.ListenerType, resource.RouteType} {
		got, w := e.held[typeURL], want[typeURL]
		if !maps.EqualFunc(got, w, bytes.Equal) {
			return fmt.Errorf("%s: holds %v, want %v (or their bytes differ)", typeURL, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(w)))
		}
	}
	return nil
}

// resourceName decodes b as a resource of typeURL and names it as
// go-control-plane does.
func resourceName(typeURL string, b []byte) (string, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(typeURL)
	if err != nil {
		return "", err
	}
	m := mt.New().Interface()
	if err := proto.Unmarshal(b, m); err != nil {
		return "", err
	}
	return cache.GetResourceName(m), nil
}

func rdsName(listener []byte) (string, error) {
	var l listenerv3.Listener
	if err := proto.Unmarshal(listener, &l); err != nil {
		return "", err
	}
	for _, fc := range l.GetFilterChains() {
		for _, f := range fc.GetFilters() {
			var hcm hcmv3.HttpConnectionManager
			if f.GetTypedConfig().UnmarshalTo(&hcm) == nil && hcm.GetRds() != nil {
				return hcm.GetRds().GetRouteConfigName(), nil
			}
		}
	}
	return "", fmt.Errorf("listener %q has no RDS", l.GetName())
}
