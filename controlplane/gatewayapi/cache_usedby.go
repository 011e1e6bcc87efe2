package gatewayapi

import (
	"maps"
	"slices"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// Listing a fleet's clusters walks every backend of every route; with the
// Cache, a virtual host it built before (the same pointer, see
// cache_vhost.go) lists the clusters it found then, and a set of names
// equal to the last one is not sorted again.

// vhostClusters are the clusters of a virtual host's routes, sorted.
type vhostClusters struct {
	names []string
	gen   uint64
}

// clustersOf lists the clusters vh's routes send to (with duplicates when
// there is no cache).
func (c *Cache) clustersOf(vh *ir.VirtualHost) []string {
	if c != nil {
		if e := c.vhClusters[vh]; e != nil {
			e.gen = c.gen
			return e.names
		}
	}
	var out []string
	for _, r := range vh.Routes {
		if f := r.Action.Forward; f != nil {
			for _, b := range f.Backends {
				out = append(out, b.Cluster)
			}
			for _, m := range f.Mirrors {
				out = append(out, m.Cluster)
			}
		}
	}
	if c != nil {
		out = slices.Compact(slices.Sorted(slices.Values(out)))
		c.vhClusters[vh] = &vhostClusters{names: out, gen: c.gen}
	}
	return out
}

// sortedNames returns set's names, sorted.
func (c *Cache) sortedNames(set map[string]bool) []string {
	if c != nil && len(c.lastNames) == len(set) && !slices.ContainsFunc(c.lastNames, func(n string) bool { return !set[n] }) {
		return c.lastNames
	}
	out := slices.Sorted(maps.Keys(set))
	if c != nil {
		c.lastNames = out
	}
	return out
}
