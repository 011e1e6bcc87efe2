package probe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
)

// Report is what the probe holds after an update.
type Report struct {
	Listeners, Routes, Clusters, Endpoints []string
	// Nacks counts the responses it rejected.
	Nacks int
}

func (r Report) String() string {
	return fmt.Sprintf("listeners=%v routes=%v clusters=%v endpoints=%v nacks=%d",
		r.Listeners, r.Routes, r.Clusters, r.Endpoints, r.Nacks)
}

// Client is one proxy's ADS session, reconnecting until its context ends.
type Client struct {
	Target *Target
	Log    *slog.Logger
	// OnUpdate is called after every ACK or NACK with what the client holds
	// and whether every subscribed type has been answered.
	OnUpdate func(r Report, complete bool)

	mu    sync.Mutex
	held  map[string]map[string]proto.Message // type URL -> name -> resource
	nacks int
}

// the order Envoy subscribes in; RDS and EDS follow from LDS and CDS.
var typeOrder = []string{resourcev3.ClusterType, resourcev3.EndpointType, resourcev3.ListenerType, resourcev3.RouteType}

// Run holds an ADS stream, reconnecting with backoff as Envoy does, until
// ctx ends.
func (c *Client) Run(ctx context.Context) error {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	c.held = map[string]map[string]proto.Message{}
	backoff := 250 * time.Millisecond
	for {
		err := c.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		c.Log.Warn("xDS stream ended; reconnecting", "address", c.Target.Address, "error", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// sub is the state of one type on the stream.
type sub struct {
	names    []string // nil: wildcard
	version  string   // last accepted
	nonce    string   // last received
	answered bool
}

func (c *Client) session(ctx context.Context) error {
	conn, err := grpc.NewClient(c.Target.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := discovery.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return err
	}
	subs := map[string]*sub{resourcev3.ClusterType: {}, resourcev3.ListenerType: {}}
	send := func(typeURL string, s *sub, detail error) error {
		req := &discovery.DiscoveryRequest{Node: c.Target.Node, TypeUrl: typeURL, ResourceNames: s.names,
			VersionInfo: s.version, ResponseNonce: s.nonce}
		if detail != nil {
			req.ErrorDetail = &status.Status{Code: int32(codes.InvalidArgument), Message: detail.Error()}
		}
		return stream.Send(req)
	}
	for _, t := range []string{resourcev3.ClusterType, resourcev3.ListenerType} {
		if err := send(t, subs[t], nil); err != nil {
			return err
		}
	}
	c.Log.Info("xDS stream open", "address", c.Target.Address, "node", c.Target.Node.GetId(), "cluster", c.Target.Node.GetCluster())
	for {
		resp, err := stream.Recv()
		if err != nil {
			return err
		}
		s := subs[resp.GetTypeUrl()]
		if s == nil {
			continue // never asked for it
		}
		s.nonce = resp.GetNonce()
		got, err := decode(resp)
		if err != nil {
			c.mu.Lock()
			c.nacks++
			c.mu.Unlock()
			c.Log.Warn("NACK", "type", shortType(resp.GetTypeUrl()), "version", resp.GetVersionInfo(), "error", err)
			if err := send(resp.GetTypeUrl(), s, err); err != nil {
				return err
			}
			c.report(subs)
			continue
		}
		s.version, s.answered = resp.GetVersionInfo(), true
		c.mu.Lock()
		c.held[resp.GetTypeUrl()] = got
		c.mu.Unlock()
		c.Log.Info("ACK", "type", shortType(resp.GetTypeUrl()), "version", s.version, "resources", len(got))
		if err := send(resp.GetTypeUrl(), s, nil); err != nil {
			return err
		}
		if err := c.follow(resp.GetTypeUrl(), got, subs, send); err != nil {
			return err
		}
		c.report(subs)
	}
}

// follow subscribes to the RDS and EDS names that listeners and clusters
// refer to, as Envoy does.
func (c *Client) follow(typeURL string, got map[string]proto.Message, subs map[string]*sub, send func(string, *sub, error) error) error {
	var dep string
	var names []string
	switch typeURL {
	case resourcev3.ClusterType:
		dep, names = resourcev3.EndpointType, edsNames(got)
	case resourcev3.ListenerType:
		dep, names = resourcev3.RouteType, rdsNames(got)
	default:
		return nil
	}
	s := subs[dep]
	if s == nil {
		if len(names) == 0 {
			return nil
		}
		s = &sub{}
		subs[dep] = s
	}
	if slices.Equal(s.names, names) && s.names != nil {
		return nil
	}
	s.names = names
	if len(names) == 0 {
		// An empty list would mean wildcard; unsubscribe instead.
		s.names = []string{}
		s.answered = true
		c.mu.Lock()
		delete(c.held, dep)
		c.mu.Unlock()
	} else {
		s.answered = false
	}
	return send(dep, s, nil)
}

func edsNames(clusters map[string]proto.Message) []string {
	var out []string
	for name, m := range clusters {
		cl := m.(*clusterv3.Cluster)
		if cl.GetType() == clusterv3.Cluster_EDS {
			if n := cl.GetEdsClusterConfig().GetServiceName(); n != "" {
				name = n
			}
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func rdsNames(listeners map[string]proto.Message) []string {
	var out []string
	for _, m := range listeners {
		l := m.(*listenerv3.Listener)
		for _, fc := range append(slices.Clone(l.GetFilterChains()), l.GetDefaultFilterChain()) {
			for _, f := range fc.GetFilters() {
				hcm := &hcmv3.HttpConnectionManager{}
				if f.GetTypedConfig() == nil || f.GetTypedConfig().UnmarshalTo(hcm) != nil {
					continue
				}
				if n := hcm.GetRds().GetRouteConfigName(); n != "" {
					out = append(out, n)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (c *Client) report(subs map[string]*sub) {
	r := c.Snapshot()
	complete := true
	for _, s := range subs {
		complete = complete && s.answered
	}
	if c.OnUpdate != nil {
		c.OnUpdate(r, complete)
	}
}

// Snapshot returns what the client holds now.
func (c *Client) Snapshot() Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := func(t string) []string { return slices.Sorted(maps.Keys(c.held[t])) }
	return Report{
		Listeners: names(resourcev3.ListenerType), Routes: names(resourcev3.RouteType),
		Clusters: names(resourcev3.ClusterType), Endpoints: names(resourcev3.EndpointType),
		Nacks: c.nacks,
	}
}

func shortType(u string) string { return u[strings.LastIndex(u, ".")+1:] }

// ErrIncomplete is returned by RunOnce when the deadline passes first.
var ErrIncomplete = errors.New("no complete configuration received")
