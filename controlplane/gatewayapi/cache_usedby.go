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

// usedClusters are the clusters a fleet's virtual hosts send to, kept
// from one translation to the next: a virtual host that is not the last
// translation's (by pointer) adds its clusters, one that is gone removes
// them, and the sorted list is made again only when the set changed.
type usedClusters struct {
	vhosts map[*ir.VirtualHost]*usedVhost
	// counts are how many of vhosts send to each cluster.
	counts   map[string]int
	clusters []*ir.Cluster // sorted by name; nil to be made again
	gen      uint64
	// last are the virtual hosts u was last made for, in order.
	last []*ir.VirtualHost
}

type usedVhost struct {
	names []string
	gen   uint64
}

// forwardClusters returns the clusters vhosts send to, sorted by name,
// from all.
func (c *Cache) forwardClusters(key string, vhosts []*ir.VirtualHost, all map[string]*ir.Cluster) []*ir.Cluster {
	u := c.used[key]
	if u == nil {
		u = &usedClusters{vhosts: map[*ir.VirtualHost]*usedVhost{}, counts: map[string]int{}}
		c.used[key] = u
	}
	u.gen = c.gen
	if !u.patch(c, vhosts) {
		u.walk(c, vhosts)
	}
	u.last = vhosts
	if u.clusters == nil {
		u.clusters = make([]*ir.Cluster, 0, len(u.counts))
		for _, n := range slices.Sorted(maps.Keys(u.counts)) {
			u.clusters = append(u.clusters, all[n])
		}
	}
	if len(u.clusters) == 0 {
		return nil // as Translate lists none
	}
	// A copy: ir.Share writes into the slice it is given, and the last
	// IR, published, has the same clusters.
	return slices.Clone(u.clusters)
}

// maxPatchedVhosts is the most virtual hosts patch replaces.
const maxPatchedVhosts = 64

// patch updates u from its last virtual hosts to vhosts when they are
// the same but at a few positions (a one-route change): those gone are
// removed, those new added, and the others are not looked up.
func (u *usedClusters) patch(c *Cache, vhosts []*ir.VirtualHost) bool {
	// As many entries as last listed: last had no duplicates, so the
	// positions that differ hold distinct hosts that are gone.
	if u.last == nil || len(u.last) != len(vhosts) || len(u.vhosts) != len(u.last) {
		return false
	}
	var gone, added []*ir.VirtualHost
	for i, vh := range vhosts {
		if old := u.last[i]; old != vh {
			if len(added) == maxPatchedVhosts {
				return false
			}
			gone, added = append(gone, old), append(added, vh)
		}
	}
	for i, vh := range added {
		// One that was listed, or is listed twice, is not new.
		if u.vhosts[vh] != nil || slices.Contains(added[:i], vh) {
			return false
		}
	}
	for _, vh := range gone {
		u.drop(u.vhosts[vh])
		delete(u.vhosts, vh)
	}
	for _, vh := range added {
		u.add(c, vh)
	}
	return true
}

func (u *usedClusters) add(c *Cache, vh *ir.VirtualHost) *usedVhost {
	e := &usedVhost{names: c.clustersOf(vh)}
	u.vhosts[vh] = e
	for _, n := range e.names {
		if u.counts[n]++; u.counts[n] == 1 {
			u.clusters = nil
		}
	}
	return e
}

func (u *usedClusters) drop(e *usedVhost) {
	for _, n := range e.names {
		if u.counts[n]--; u.counts[n] == 0 {
			delete(u.counts, n)
			u.clusters = nil
		}
	}
}

// walk updates u to vhosts by looking each up.
func (u *usedClusters) walk(c *Cache, vhosts []*ir.VirtualHost) {
	seen := 0
	for _, vh := range vhosts {
		e := u.vhosts[vh]
		if e == nil {
			e = u.add(c, vh)
		}
		if e.gen != c.gen {
			e.gen = c.gen
			seen++
		}
	}
	if seen != len(u.vhosts) {
		for vh, e := range u.vhosts {
			if e.gen == c.gen {
				continue
			}
			delete(u.vhosts, vh)
			u.drop(e)
		}
	}
}
