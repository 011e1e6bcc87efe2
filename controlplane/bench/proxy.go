package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	rsrc "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
)

// xdsTypes are what a proxy subscribes to, in the order it depends on them.
var xdsTypes = []string{rsrc.ClusterType, rsrc.EndpointType, rsrc.ListenerType, rsrc.RouteType}

// The simulated proxies keep grpc-go's HTTP/2 windows (64 KiB, grown by
// BDP estimation), not Envoy's (Http2ProtocolOptions'
// initial_stream_window_size 16 MiB and initial_connection_window_size
// 24 MiB in the v1.40 API). With Envoy's windows the server pushes every
// proxy's whole initial configuration (about 4 MB each) at once; a
// thousand proxies in this one process on a loaded two-core machine could
// not drain their sockets within the server's keepalive timeout, which
// gRPC also uses as TCP_USER_TIMEOUT, and the kernel cut about half the
// connections. Real proxies, one per host, drain their own socket.

// proxyReadBuffer is each simulated proxy's socket read buffer. The proxies
// share the machine with the control plane they measure; reading a
// megabyte response 32 KiB per syscall (grpc-go's default) spent the
// cores on the simulation.
const proxyReadBuffer = 256 << 10

// proxy is one ADS State-of-the-World stream that behaves like Envoy: it
// subscribes to every cluster and listener, then to exactly the
// assignments and route configurations they name, and ACKs every response.
// It decodes only what it needs to learn those names.
type proxy struct {
	id     int
	conn   *grpc.ClientConn
	stream discovery.AggregatedDiscoveryService_StreamAggregatedResourcesClient
	names  map[string][]string
	acked  map[string]string
	nonce  map[string]string
	track  *tracker
	cache  *namesCache
}

func dialProxy(ctx context.Context, addr string, id int, t *tracker, names *namesCache) (*proxy, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30), grpc.ForceCodecV2(leanCodec{names: names})),
		grpc.WithReadBufferSize(proxyReadBuffer))
	if err != nil {
		return nil, err
	}
	s, err := discovery.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("proxy %d: %w", id, err)
	}
	p := &proxy{id: id, conn: conn, stream: s, track: t, cache: names,
		names: map[string][]string{}, acked: map[string]string{}, nonce: map[string]string{}}
	node := &core.Node{Id: fmt.Sprintf("bench-proxy-%d", id), Cluster: workload.Fleet, UserAgentName: "envoy"}
	for i, typ := range []string{rsrc.ClusterType, rsrc.ListenerType} {
		req := &discovery.DiscoveryRequest{TypeUrl: typ}
		if i == 0 {
			req.Node = node
		}
		if err := s.Send(req); err != nil {
			conn.Close()
			return nil, fmt.Errorf("proxy %d: %w", id, err)
		}
	}
	return p, nil
}

// run receives until the stream ends.
func (p *proxy) run() {
	for {
		resp, err := p.stream.Recv()
		if err != nil {
			return
		}
		if err := p.handle(resp); err != nil {
			p.track.fail(fmt.Errorf("proxy %d: %w", p.id, err))
			return
		}
	}
}

func (p *proxy) handle(resp *discovery.DiscoveryResponse) error {
	t := resp.GetTypeUrl()
	var dep string
	var names []string
	if needsNames(t) {
		var err error
		if names, err = p.namesOf(resp); err != nil {
			return err
		}
		dep = rsrc.EndpointType
		if t == rsrc.ListenerType {
			dep = rsrc.RouteType
		}
	}
	if dep != "" && !slices.Equal(names, p.names[dep]) {
		p.names[dep] = names
		if err := p.send(dep, p.acked[dep], p.nonce[dep]); err != nil {
			return err
		}
	}
	p.acked[t], p.nonce[t] = resp.GetVersionInfo(), resp.GetNonce()
	if err := p.send(t, resp.GetVersionInfo(), resp.GetNonce()); err != nil {
		return err
	}
	p.track.acked(p.id, t, resp.GetVersionInfo(), time.Now())
	return nil
}

// needsNames says whether a response of type t names what to subscribe to.
func needsNames(t string) bool { return t == rsrc.ClusterType || t == rsrc.ListenerType }

// namesOf returns the assignments or route configurations resp names,
// decoded by the first proxy that got its version.
func (p *proxy) namesOf(resp *discovery.DiscoveryResponse) ([]string, error) {
	t, v := resp.GetTypeUrl(), resp.GetVersionInfo()
	if names, ok := p.cache.get(t, v); ok {
		return names, nil
	}
	var names []string
	var err error
	if t == rsrc.ClusterType {
		names = edsNames(resp)
	} else if names, err = rdsNames(resp); err != nil {
		return nil, err
	}
	p.cache.put(t, v, names)
	return names, nil
}

func (p *proxy) send(t, version, nonce string) error {
	return p.stream.Send(&discovery.DiscoveryRequest{TypeUrl: t, VersionInfo: version, ResponseNonce: nonce, ResourceNames: p.names[t]})
}

func (p *proxy) close() {
	_ = p.stream.CloseSend()
	_ = p.conn.Close()
}

func edsNames(resp *discovery.DiscoveryResponse) []string {
	var out []string
	for _, a := range resp.GetResources() {
		var c clusterv3.Cluster
		if err := a.UnmarshalTo(&c); err != nil || c.GetType() != clusterv3.Cluster_EDS {
			continue
		}
		if n := c.GetEdsClusterConfig().GetServiceName(); n != "" {
			out = append(out, n)
		} else {
			out = append(out, c.GetName())
		}
	}
	slices.Sort(out)
	return out
}

func rdsNames(resp *discovery.DiscoveryResponse) ([]string, error) {
	var out []string
	for _, a := range resp.GetResources() {
		var l listenerv3.Listener
		if err := a.UnmarshalTo(&l); err != nil {
			return nil, err
		}
		for _, fc := range l.GetFilterChains() {
			for _, f := range fc.GetFilters() {
				var hcm hcmv3.HttpConnectionManager
				if f.GetTypedConfig().UnmarshalTo(&hcm) != nil {
					continue
				}
				if n := hcm.GetRds().GetRouteConfigName(); n != "" {
					out = append(out, n)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// tracker collects every proxy's ACKs and lets one waiter at a time learn
// when all proxies reached a condition.
type tracker struct {
	mu     sync.Mutex
	acks   []map[string]string
	err    error
	waiter *waiter
}

type waiter struct {
	done    func(id int, acks map[string]string) bool
	reached []bool
	left    int
	// ats are the times proxies reached the condition, in order.
	ats []time.Time
	ch  chan struct{}
}

func newTracker(n int) *tracker {
	t := &tracker{acks: make([]map[string]string, n)}
	for i := range t.acks {
		t.acks[i] = map[string]string{}
	}
	return t
}

func (t *tracker) acked(id int, typ, version string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.acks[id][typ] = version
	w := t.waiter
	if w == nil || w.reached[id] || !w.done(id, t.acks[id]) {
		return
	}
	w.reached[id] = true
	w.ats = append(w.ats, at)
	if w.left--; w.left == 0 {
		close(w.ch)
		t.waiter = nil
	}
}

func (t *tracker) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
	}
}

// expect arms a waiter: done is asked about each proxy's ACKed versions.
// Proxies already there count at once. wait returns the time of the ACK
// that completed the set.
func (t *tracker) expect(done func(id int, acks map[string]string) bool) (wait func(timeout time.Duration) (time.Time, error)) {
	each := t.expectEach(done)
	return func(timeout time.Duration) (time.Time, error) {
		ats, err := each(timeout)
		if err != nil {
			return time.Time{}, err
		}
		return ats[len(ats)-1], nil
	}
}

// expectEach is expect, whose wait returns, in order, the time at which
// each proxy reached the condition.
func (t *tracker) expectEach(done func(id int, acks map[string]string) bool) (wait func(timeout time.Duration) ([]time.Time, error)) {
	t.mu.Lock()
	w := &waiter{done: done, reached: make([]bool, len(t.acks)), left: len(t.acks), ch: make(chan struct{})}
	now := time.Now()
	for i, a := range t.acks {
		if done(i, a) {
			w.reached[i] = true
			w.left--
			w.ats = append(w.ats, now)
		}
	}
	if w.left == 0 {
		close(w.ch)
	} else {
		t.waiter = w
	}
	t.mu.Unlock()
	return func(timeout time.Duration) ([]time.Time, error) {
		select {
		case <-w.ch:
			return w.ats, nil
		case <-time.After(timeout):
			t.mu.Lock()
			defer t.mu.Unlock()
			t.waiter = nil
			return nil, fmt.Errorf("%d of %d proxies did not ACK within %s (first error: %v)", w.left, len(t.acks), timeout, t.err)
		}
	}
}

// rdsVersions copies every proxy's ACKed route version.
func (t *tracker) rdsVersions() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, len(t.acks))
	for i, a := range t.acks {
		out[i] = a[rsrc.RouteType]
	}
	return out
}
