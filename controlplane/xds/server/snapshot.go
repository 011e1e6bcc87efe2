package server

import (
	"encoding/hex"
	"slices"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// snapshot versions each type by a hash of its content, so a type whose
// resources did not change keeps its version and is not sent again. Each
// resource is encoded once (see encode.go), which also fills the Delta
// version map that go-control-plane would otherwise build by encoding
// everything again. A type whose resources are the very ones of key's
// previous snapshot reuses what was built for it then: a one-route change
// leaves a fleet's thousands of clusters untouched. Callers hold setMu.
func (s *Server) snapshot(key string, r *translator.Resources) (*cache.Snapshot, error) {
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
	b := newBuilding(key)
	built := map[encodingKey]*typeEncoding{}
	prev := s.typeSnaps[key]
	next := map[types.ResponseType]*typeSnap{}
	for t, items := range groups {
		ts := prev[t]
		if ts == nil || !slices.Equal(ts.items, items) {
			var err error
			if ts, err = s.buildType(t, items, b); err != nil {
				return nil, err
			}
		} else {
			b.reused = append(b.reused, ts)
		}
		next[t] = ts
		snap.Resources[t] = ts.resources
		snap.VersionMap[ts.key.typeURL] = ts.versions
		built[ts.key] = ts.te
	}
	s.enc.remember(built, b)
	s.typeSnaps[key] = next
	return snap, nil
}

// typeSnap is what a snapshot holds of one type.
type typeSnap struct {
	items     []types.Resource
	encs      []*encoded
	key       encodingKey
	resources cache.Resources
	versions  map[string]string
	te        *typeEncoding
}

func (s *Server) buildType(t types.ResponseType, items []types.Resource, b *building) (*typeSnap, error) {
	u := typeURL(t)
	encs, err := s.enc.encode(u, items, b)
	if err != nil {
		return nil, err
	}
	v := version(encs)
	ts := &typeSnap{
		items: items, encs: encs, key: encodingKey{u, v},
		resources: cache.NewResources(v, items),
		versions:  make(map[string]string, len(encs)),
		te:        &typeEncoding{all: make([]*anypb.Any, len(encs)), byName: make(map[string]*anypb.Any, len(encs))},
	}
	for i, enc := range encs {
		name := cache.GetResourceName(items[i])
		ts.te.all[i] = enc.any
		ts.te.byName[name] = enc.any
		ts.versions[name] = hex.EncodeToString(enc.sum[:])
	}
	return ts, nil
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
