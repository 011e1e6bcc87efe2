package server

import (
	"strconv"
	"sync/atomic"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"
)

// State of the World ADS is served here rather than by go-control-plane's
// server and snapshot cache (sotwhub.go says why); Delta and the per-type
// services still are. The protocol is go-control-plane's, type by type:
//
//   - a request whose response_nonce is not the latest one sent for its
//     type is stale and ignored;
//   - otherwise it opens the type's watch: the next response goes out when
//     the snapshot's version differs from the request's version_info, or
//     at once if the request names resources not yet sent;
//   - at most one response per type is outstanding, until the client
//     answers it (ACK or NACK); a NACK is turned into a request for the
//     rejected version (callbacks.go), so it waits for the next snapshot;
//   - responses go out in dependency order (CDS, EDS, LDS, RDS, then SDS)
//     whenever several are due, as ordered ADS does;
//   - an Envoy's (ADS-mode) named request is answered only once it names
//     every resource of the type, so that Envoy never gets part of EDS; a
//     gRPC client's is answered with the subset it names;
//   - an RDS response leaves out route configurations the stream already
//     has as they are (shared.go's unsent).

// adsServer is go-control-plane's server with SotW ADS replaced.
type adsServer struct {
	serverv3.Server
	s *Server
}

func (a adsServer) StreamAggregatedResources(st discovery.AggregatedDiscoveryService_StreamAggregatedResourcesServer) error {
	return a.s.streamADS(st)
}

// adsStreamIDs numbers this server's ADS streams; their keys are apart
// from go-control-plane's numbering (streamKey.own).
var adsStreamIDs atomic.Int64

// adsStream is one SotW ADS stream's state.
type adsStream struct {
	s     *Server
	st    discovery.AggregatedDiscoveryService_StreamAggregatedResourcesServer
	key   streamKey
	node  *core.Node
	nonce int64
	// snapKey is the snapshot the stream is served ("" before its node).
	snapKey string
	envoy   bool
	watches [types.UnknownType]*adsWatch
	routes  map[string]*anypb.Any
}

// adsWatch is the stream's state for one type.
type adsWatch struct {
	names *nameSet
	// open: the client answered the last response; one may be sent.
	open bool
	// fresh: the request just arrived, so newly named resources are
	// sent even if the version did not change.
	fresh bool
	// reqVersion is the version the client says it has.
	reqVersion string
	// nonce is the latest response's.
	nonce string
	// returned is what the latest response held.
	returned *selection
}

func (s *Server) streamADS(st discovery.AggregatedDiscoveryService_StreamAggregatedResourcesServer) error {
	a := &adsStream{s: s, st: st, key: streamKey{own: true, id: adsStreamIDs.Add(1)}}
	s.open(a.key)
	defer s.close(a.key)
	reqs := make(chan *discovery.DiscoveryRequest)
	ctx := st.Context()
	go func() {
		defer close(reqs)
		for {
			req, err := st.Recv()
			if err != nil {
				return
			}
			select {
			case reqs <- req:
			case <-ctx.Done():
				return
			}
		}
	}()
	var snap *sotwSnap
	var changed <-chan struct{}
	for {
		select {
		case <-ctx.Done():
			return nil
		case req, ok := <-reqs:
			if !ok {
				return nil
			}
			if err := a.request(req); err != nil {
				return err
			}
		case <-changed:
		}
		if a.snapKey != "" {
			snap, changed = s.hub.watch(a.snapKey)
		}
		if err := a.respond(snap); err != nil {
			return status.Error(codes.Unavailable, err.Error())
		}
	}
}

// request records a request in its type's watch.
func (a *adsStream) request(req *discovery.DiscoveryRequest) error {
	if req.GetNode() != nil {
		a.node = req.GetNode()
	} else {
		req.Node = a.node
	}
	typeURL := req.GetTypeUrl()
	if typeURL == "" {
		return status.Errorf(codes.InvalidArgument, "type URL is required for ADS")
	}
	if err := a.s.onRequest(a.key, req); err != nil {
		return err
	}
	if a.node != nil && a.snapKey == "" {
		a.snapKey = nodeHash{}.ID(a.node)
		a.envoy = clientKind(a.node) == kindEnvoy
	}
	t := cache.GetResponseType(typeURL)
	if t == types.UnknownType {
		// Nothing is ever published for it; go-control-plane would hold
		// the watch forever too.
		return nil
	}
	w := a.watches[t]
	if w == nil {
		w = &adsWatch{}
		a.watches[t] = w
	} else if w.nonce != "" && req.GetResponseNonce() != w.nonce {
		return nil
	}
	w.names = a.s.names.intern(req.GetResourceNames())
	w.reqVersion = req.GetVersionInfo()
	w.open, w.fresh = true, true
	return nil
}

// respond sends, in type order, every response due from snap.
func (a *adsStream) respond(snap *sotwSnap) error {
	if snap == nil {
		return nil
	}
	for t, w := range a.watches {
		if w == nil || !w.open {
			continue
		}
		fresh := w.fresh
		w.fresh = false
		rt := types.ResponseType(t)
		st := snap.typ(rt)
		sel := snap.selection(rt, w.names)
		if st.version == w.reqVersion && !(fresh && newlyNamed(sel, w.returned)) {
			continue
		}
		if a.envoy && !w.names.wildcard && !sel.covers {
			// ADS mode: wait until Envoy names every resource; the
			// watch ends unanswered, as go-control-plane's does.
			w.open = false
			continue
		}
		if err := a.send(rt, w, st, sel); err != nil {
			return err
		}
	}
	return nil
}

// newlyNamed says whether sel holds a resource that was not returned.
func newlyNamed(sel, returned *selection) bool {
	if sel == returned {
		return false
	}
	if returned == nil {
		return len(sel.names) > 0
	}
	for _, n := range sel.names {
		if !returned.has(n) {
			return true
		}
	}
	return false
}

func (a *adsStream) send(t types.ResponseType, w *adsWatch, st *sotwType, sel *selection) error {
	typeURL := typeURL(t)
	anys, idx := sel.anys, sel.idx
	if typeURL == resource.RouteType {
		if a.routes == nil {
			a.routes = map[string]*anypb.Any{}
		}
		var kept []int
		if anys, kept = unsentRoutes(a.routes, sel.names, sel.anys, w.names.has); kept != nil {
			idx = make([]int, len(kept))
			for i, k := range kept {
				if sel.idx != nil {
					k = sel.idx[k]
				}
				idx[i] = k
			}
		}
	}
	a.nonce++
	nonce := strconv.FormatInt(a.nonce, 10)
	w.nonce, w.open, w.returned = nonce, false, sel
	a.s.onResponse(a.key, typeURL, st.version, nonce)
	return a.st.SendMsg(&adsResponse{version: st.version, typeURL: typeURL, nonce: nonce, anys: anys, pieces: pieces(st, anys, idx)})
}

// pieces returns the encoded resources field of anys, the resources of st
// at idx (all of them when idx is nil), cut from the type's shared
// encoding; nil when there is none (wirecodec.go then encodes anys).
func pieces(st *sotwType, anys []*anypb.Any, idx []int) [][]byte {
	if st.te == nil || len(anys) == 0 {
		return nil
	}
	w, err := st.te.wire()
	if err != nil {
		return nil
	}
	if idx == nil {
		return w.whole
	}
	out := make([][]byte, 0, len(idx))
	for _, j := range idx {
		out = append(out, w.parts[j]...)
	}
	return out
}
