package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/proto"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// snapshot versions each type by a hash of its content, so a type whose
// resources did not change keeps its version and is not sent again.
func snapshot(r *translator.Resources) (*cache.Snapshot, error) {
	snap := &cache.Snapshot{}
	groups := map[types.ResponseType][]types.Resource{
		types.Listener: asResources(r.Listeners),
		types.Route:    asResources(r.Routes),
		types.Cluster:  asResources(r.Clusters),
		types.Endpoint: asResources(r.Endpoints),
		// Certificates travel over SDS on the same ADS stream, so a
		// rotation changes this type's version and no listener's.
		types.Secret: asResources(r.Secrets),
	}
	for t, items := range groups {
		v, err := contentVersion(items)
		if err != nil {
			return nil, err
		}
		snap.Resources[t] = cache.NewResources(v, items)
	}
	return snap, nil
}

func asResources[T types.Resource](ms []T) []types.Resource {
	out := make([]types.Resource, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

// contentVersion hashes the deterministic encoding of items in a fixed
// order (the translator sorts by name; the bridge step appends in a
// deterministic order too).
func contentVersion(items []types.Resource) (string, error) {
	h := sha256.New()
	opts := proto.MarshalOptions{Deterministic: true}
	for _, m := range items {
		b, err := opts.Marshal(m)
		if err != nil {
			return "", err
		}
		// Length-prefix each resource so that boundaries count.
		fmt.Fprintf(h, "%d:", len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
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
