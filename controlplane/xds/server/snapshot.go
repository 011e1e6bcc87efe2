package server

import (
	"encoding/hex"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// snapshot versions each type by a hash of its content, so a type whose
// resources did not change keeps its version and is not sent again. Each
// resource is encoded once (see encode.go), which also fills the Delta
// version map that go-control-plane would otherwise build by encoding
// everything again. Callers hold setMu.
func (s *Server) snapshot(r *translator.Resources) (*cache.Snapshot, error) {
	snap := &cache.Snapshot{VersionMap: map[string]map[string]string{}}
	groups := map[types.ResponseType][]types.Resource{
		types.Listener: asResources(r.Listeners),
		types.Route:    asResources(r.Routes),
		types.Cluster:  asResources(r.Clusters),
		types.Endpoint: asResources(r.Endpoints),
		// Certificates travel over SDS on the same ADS stream, so a
		// rotation changes this type's version and no listener's.
		types.Secret: asResources(r.Secrets),
	}
	seen := map[types.Resource]*encoded{}
	built := map[encodingKey]*typeEncoding{}
	for t, items := range groups {
		u := typeURL(t)
		encs, err := s.enc.encode(u, items, seen)
		if err != nil {
			return nil, err
		}
		v := version(encs)
		snap.Resources[t] = cache.NewResources(v, items)
		te := &typeEncoding{all: make([]*anypb.Any, len(encs)), byName: make(map[string]*anypb.Any, len(encs))}
		vm := make(map[string]string, len(encs))
		for i, enc := range encs {
			name := cache.GetResourceName(items[i])
			te.all[i] = enc.any
			te.byName[name] = enc.any
			vm[name] = hex.EncodeToString(enc.sum[:])
		}
		snap.VersionMap[u] = vm
		built[encodingKey{u, v}] = te
	}
	s.enc.remember(built, seen)
	return snap, nil
}

func asResources[T types.Resource](ms []T) []types.Resource {
	out := make([]types.Resource, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

func typeURL(t types.ResponseType) string {
	u, _ := cache.GetResponseTypeURL(t)
	return u
}

func snapshotVersions(snap *cache.Snapshot) map[types.ResponseType]string {
	out := map[types.ResponseType]string{}
	for _, t := range []types.ResponseType{types.Listener, types.Route, types.Cluster, types.Endpoint, types.Secret} {
		out[t] = snap.GetVersion(typeURL(t))
	}
	return out
}
