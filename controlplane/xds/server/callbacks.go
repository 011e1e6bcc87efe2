package server

import (
	"cmp"
	"context"
	"slices"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Nack is one rejected response, as the proxy reported it.
type Nack struct {
	Fleet  string
	NodeID string
	// Proxyless is true for a gRPC client.
	Proxyless bool
	TypeURL   string
	// Version is the version the proxy rejected (the last one sent to it).
	Version string
	// Error is the proxy's own message.
	Error string
	Time  time.Time
}

// streamKey tells streams apart: go-control-plane numbers its SotW and
// Delta streams from 1 each, and this server its own SotW ADS streams
// (sotw.go).
type streamKey struct {
	delta bool
	own   bool
	id    int64
}

// stream is what the server knows about one open xDS stream.
type stream struct {
	node  *core.Node
	fleet string
	// sent is the latest response of each type URL.
	sent map[string]sentResponse
	// acked is the latest version of each type URL the client accepted.
	acked map[string]string
}

type sentResponse struct{ version, nonce string }

func newStream() *stream {
	return &stream{sent: map[string]sentResponse{}, acked: map[string]string{}}
}

type nackKey struct{ fleet, node, typeURL string }

type sentKey struct{ fleet, typeURL string }

func (s *Server) callbacks() serverv3.Callbacks {
	return serverv3.CallbackFuncs{
		StreamOpenFunc:        func(_ context.Context, id int64, _ string) error { s.open(streamKey{id: id}); return nil },
		StreamClosedFunc:      func(id int64, _ *core.Node) { s.close(streamKey{id: id}) },
		DeltaStreamOpenFunc:   func(_ context.Context, id int64, _ string) error { s.open(streamKey{delta: true, id: id}); return nil },
		DeltaStreamClosedFunc: func(id int64, _ *core.Node) { s.close(streamKey{delta: true, id: id}) },
		StreamRequestFunc: func(id int64, req *discovery.DiscoveryRequest) error {
			return s.onRequest(streamKey{id: id}, req)
		},
		StreamResponseFunc: func(_ context.Context, id int64, _ *discovery.DiscoveryRequest, resp *discovery.DiscoveryResponse) {
			s.onResponse(streamKey{id: id}, resp.GetTypeUrl(), resp.GetVersionInfo(), resp.GetNonce())
		},
		StreamDeltaRequestFunc:  s.onDeltaRequest,
		StreamDeltaResponseFunc: s.onDeltaResponse,
	}
}

func (s *Server) open(k streamKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams[k] = newStream()
}

func (s *Server) close(k streamKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.streams[k]; st != nil && st.node != nil {
		s.log.Info("xDS client disconnected", "fleet", st.fleet, "node", st.node.GetId())
	}
	delete(s.streams, k)
}

// onRequest runs before the cache sees a SotW request; changing
// req.VersionInfo here changes what the cache does with it.
func (s *Server) onRequest(k streamKey, req *discovery.DiscoveryRequest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.identify(k, req.GetNode())
	if err != nil {
		return err
	}
	t := req.GetTypeUrl()
	if req.GetErrorDetail() != nil {
		s.recordNack(st, t, req.GetErrorDetail().GetMessage())
		// The proxy reports the last version it accepted; the cache would
		// see that it differs from the snapshot and re-send the rejected
		// version at once, forever. Claiming the rejected version makes the
		// cache wait for a new snapshot.
		if r, ok := st.sent[t]; ok {
			req.VersionInfo = r.version
		}
		return nil
	}
	s.accepted(st, t, req.GetResponseNonce())
	return nil
}

func (s *Server) onResponse(k streamKey, typeURL, version, nonce string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sentResponse(k, typeURL, version, nonce)
}

// onDeltaRequest needs no version trick: the Delta cache compares
// per-resource versions with what it sent on the stream, so a NACK alone
// never triggers a response.
func (s *Server) onDeltaRequest(id int64, req *discovery.DeltaDiscoveryRequest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.identify(streamKey{delta: true, id: id}, req.GetNode())
	if err != nil {
		return err
	}
	t := req.GetTypeUrl()
	if req.GetErrorDetail() != nil {
		s.recordNack(st, t, req.GetErrorDetail().GetMessage())
		return nil
	}
	s.accepted(st, t, req.GetResponseNonce())
	return nil
}

func (s *Server) onDeltaResponse(id int64, _ *discovery.DeltaDiscoveryRequest, resp *discovery.DeltaDiscoveryResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sentResponse(streamKey{delta: true, id: id}, resp.GetTypeUrl(), resp.GetSystemVersionInfo(), resp.GetNonce())
}

// identify returns the stream's state, learning its node from the first
// request that carries one. Callers hold s.mu.
func (s *Server) identify(k streamKey, n *core.Node) (*stream, error) {
	st := s.streams[k]
	if st == nil {
		// A request can only follow the open callback; be defensive.
		st = newStream()
		s.streams[k] = st
	}
	if st.node != nil || n == nil {
		return st, nil
	}
	if n.GetCluster() == "" {
		return nil, status.Errorf(codes.InvalidArgument,
			"node %q has no cluster: node.cluster must name the proxy's fleet (its GatewayClass)", n.GetId())
	}
	st.node, st.fleet = n, n.GetCluster()
	s.log.Info("xDS client connected", "fleet", st.fleet, "node", n.GetId(),
		"client", clientKind(n), "userAgent", n.GetUserAgentName(), "delta", k.delta)
	return st, nil
}

func (s *Server) sentResponse(k streamKey, typeURL, version, nonce string) {
	st := s.streams[k]
	if st == nil {
		return
	}
	st.sent[typeURL] = sentResponse{version, nonce}
	s.sent[sentKey{st.fleet, typeURL}]++
}

// accepted handles a request that is not a NACK: if it answers the latest
// response of its type (an older nonce answers a superseded one), that
// response is ACKed, and an earlier NACK of the type is over.
func (s *Server) accepted(st *stream, typeURL, nonce string) {
	r, ok := st.sent[typeURL]
	if !ok || nonce == "" || nonce != r.nonce {
		return
	}
	st.acked[typeURL] = r.version
	s.clearNack(st, typeURL)
}

func (s *Server) recordNack(st *stream, typeURL, msg string) {
	n := Nack{
		Fleet:     st.fleet,
		NodeID:    st.node.GetId(),
		Proxyless: isProxyless(st.node),
		TypeURL:   typeURL,
		Version:   st.sent[typeURL].version,
		Error:     msg,
		Time:      time.Now(),
	}
	s.nacks[nackKey{n.Fleet, n.NodeID, typeURL}] = n
	s.log.Warn("xDS client rejected configuration; it keeps its last accepted version",
		"fleet", n.Fleet, "node", n.NodeID, "type", typeURL, "version", n.Version, "error", msg)
	if s.onNack != nil {
		s.onNack(n)
	}
}

func (s *Server) clearNack(st *stream, typeURL string) {
	delete(s.nacks, nackKey{st.fleet, st.node.GetId(), typeURL})
}

// Nacks returns the fleet's outstanding rejections: for each proxy and
// type, the latest NACK not yet followed by an ACK of a newer version.
func (s *Server) Nacks(fleet string) []Nack {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Nack
	for k, n := range s.nacks {
		if k.fleet == fleet {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b Nack) int {
		return cmp.Or(cmp.Compare(a.NodeID, b.NodeID), cmp.Compare(a.TypeURL, b.TypeURL))
	})
	return out
}

// ConnectedProxies counts the distinct nodes of fleet with an open stream.
// A node may hold several streams (one per type without ADS).
func (s *Server) ConnectedProxies(fleet string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	nodes := map[any]bool{}
	for k, st := range s.streams {
		if st.node == nil || st.fleet != fleet {
			continue
		}
		if id := st.node.GetId(); id != "" {
			nodes[id] = true
		} else {
			// A node without an ID counts once per stream.
			nodes[k] = true
		}
	}
	return len(nodes)
}
