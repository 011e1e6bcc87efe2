package translator

import (
	"slices"
	"sync"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// Cache renders one fleet's successive IRs as Translate does, but reuses
// what it rendered for an IR piece (virtual host, cluster) it has seen
// before, and the route configuration whose virtual hosts all were
// reused. Reused resources are the same pointers as before, so the xDS
// server, which caches encodings by pointer, never encodes them again;
// only new pieces are validated.
//
// Pieces are recognised by pointer: a published IR is immutable (see
// ir.Share, which makes unchanged pieces of a new IR the previous
// pointers). An IR built from scratch every time is still translated
// correctly, only without reuse. The output always equals Translate's.
type Cache struct {
	mu       sync.Mutex
	variants [2]*memo
	// checkedClusters are the last IR clusters that passed checkNames.
	checkedClusters []*ir.Cluster
	// checkedVhosts are, by listener name, the last IR virtual hosts
	// that passed checkNames.
	checkedVhosts map[string][]*ir.VirtualHost
	// indexed are the IR clusters index maps by name.
	indexed []*ir.Cluster
	index   map[string]*ir.Cluster
}

// clusterIndex is indexClusters, the last one's when cs are the same
// clusters: the map is only read.
func (c *Cache) clusterIndex(cs []*ir.Cluster) map[string]*ir.Cluster {
	if c == nil {
		return indexClusters(cs)
	}
	if c.index == nil || !slices.Equal(c.indexed, cs) {
		c.indexed, c.index = cs, indexClusters(cs)
	}
	return c.index
}

// NewCache returns an empty cache for one fleet.
func NewCache() *Cache {
	return &Cache{variants: [2]*memo{newMemo(), newMemo()}}
}

// Translate renders x like the package's Translate.
func (c *Cache) Translate(x *ir.Xds) (*ResourceSet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.variants {
		m.gen++
	}
	return translate(x, c)
}

func (c *Cache) memo(v variant) *memo {
	if c == nil {
		return nil
	}
	return c.variants[v]
}

// memo is one variant's rendered pieces. Entries carry the generation
// (translation) that last used them; unused ones are dropped once they
// outnumber the used ones.
type memo struct {
	gen    uint64
	vhosts map[*ir.VirtualHost]*vhostEntry
	// byProto finds an entry by its rendering.
	byProto map[*routev3.VirtualHost]*vhostEntry
	rcs     map[string]*rcEntry
	// clusters are keyed by IR cluster; last* are the previous
	// translation's, to reuse the whole sorted list when nothing changed.
	clusters     map[*ir.Cluster]*clusterEntry
	lastIR       []*ir.Cluster
	lastClusters []*clusterv3.Cluster
	lastEPs      []*endpointv3.ClusterLoadAssignment
	lastGen      uint64
	// clustersSame: this translation's IR clusters are the previous
	// one's, so a virtual host rendered then still sees the same clusters.
	clustersSame bool
	usedVhosts   int
	check        checkMemo
}

type vhostEntry struct {
	out *routev3.VirtualHost
	// clusters are the xDS clusters out's routes name, for Check;
	// checkedGen is the checkMemo cluster set they were found in.
	clusters   []string
	checkedGen uint64
	// deps are the IR clusters the routes looked up; the rendering holds
	// while the fleet's clusters of those names are the same pointers.
	deps []*ir.Cluster
	gen  uint64
}

type rcEntry struct {
	vhosts []*routev3.VirtualHost
	// in are the IR virtual hosts last rendered into vhosts, ents their
	// entries.
	in   []*ir.VirtualHost
	ents []*vhostEntry
	out  *routev3.RouteConfiguration
	gen  uint64
}

type clusterEntry struct {
	clusters  []*clusterv3.Cluster
	endpoints []*endpointv3.ClusterLoadAssignment
}

func newMemo() *memo {
	m := &memo{
		vhosts:   map[*ir.VirtualHost]*vhostEntry{},
		byProto:  map[*routev3.VirtualHost]*vhostEntry{},
		rcs:      map[string]*rcEntry{},
		clusters: map[*ir.Cluster]*clusterEntry{},
	}
	m.check.vhost = func(vh *routev3.VirtualHost) *vhostEntry { return m.byProto[vh] }
	return m
}

// sameClusters returns the previous translation's rendered clusters when
// this one's IR clusters are exactly its (see begin).
func (m *memo) sameClusters() ([]*clusterv3.Cluster, []*endpointv3.ClusterLoadAssignment, bool) {
	if m == nil || !m.clustersSame {
		return nil, nil, false
	}
	return m.lastClusters, m.lastEPs, true
}

func (m *memo) cluster(c *ir.Cluster, v variant, path string) ([]*clusterv3.Cluster, []*endpointv3.ClusterLoadAssignment, error) {
	if m == nil {
		return buildClusters(c, v, path)
	}
	if e := m.clusters[c]; e != nil {
		return e.clusters, e.endpoints, nil
	}
	cs, las, err := buildClusters(c, v, path)
	if err != nil {
		return nil, nil, err
	}
	if err := validateEach(append(validatables(cs), validatables(las)...)); err != nil {
		return nil, nil, err
	}
	m.clusters[c] = &clusterEntry{clusters: cs, endpoints: las}
	return cs, las, nil
}

// routeConfig renders a route configuration, reusing rendered virtual
// hosts and, when all of them are reused in the same order, the whole
// configuration.
func (m *memo) routeConfig(name string, vhs []*ir.VirtualHost, clusters map[string]*ir.Cluster, v variant, path string) (*routev3.RouteConfiguration, error) {
	if m == nil {
		return buildRouteConfig(name, vhs, clusters, v, path)
	}
	out := make([]*routev3.VirtualHost, len(vhs))
	ents := make([]*vhostEntry, len(vhs))
	last := m.rcs[name]
	for i, vh := range vhs {
		// The entry of the same virtual host at the same position last
		// time, when that holds without a look at the clusters, needs
		// no lookup either: it is still the one the map has.
		if last != nil && m.clustersSame && i < len(last.in) && last.in[i] == vh && last.ents[i].gen+1 == m.gen {
			e := last.ents[i]
			e.gen = m.gen
			m.usedVhosts++
			out[i], ents[i] = e.out, e
			continue
		}
		e, err := m.virtualHost(vh, clusters, v, path, i)
		if err != nil {
			return nil, err
		}
		out[i], ents[i] = e.out, e
	}
	if last != nil && slices.Equal(last.vhosts, out) {
		last.gen = m.gen
		last.in, last.ents = vhs, ents
		return last.out, nil
	}
	// The virtual hosts are validated one by one; this checks the rest.
	if err := validateEach([]validatable{newRouteConfig(name, nil)}); err != nil {
		return nil, err
	}
	rc := newRouteConfig(name, out)
	m.rcs[name] = &rcEntry{vhosts: out, in: vhs, ents: ents, out: rc, gen: m.gen}
	return rc, nil
}

func (m *memo) virtualHost(vh *ir.VirtualHost, clusters map[string]*ir.Cluster, v variant, path string, i int) (*vhostEntry, error) {
	if e := m.vhosts[vh]; e != nil && m.holds(e, clusters) {
		e.gen = m.gen
		m.usedVhosts++
		return e, nil
	}
	root := rootPath(path)
	pv, err := buildVirtualHost(vh, clusters, v, root.item("virtualHosts", i))
	if err != nil {
		return nil, err
	}
	if err := validateEach([]validatable{pv}); err != nil {
		return nil, err
	}
	if old := m.vhosts[vh]; old != nil {
		delete(m.byProto, old.out)
	}
	e := &vhostEntry{out: pv, deps: dependencies(vh, clusters), gen: m.gen}
	e.clusters = slices.Compact(slices.Sorted(slices.Values(vhostClusters(pv))))
	m.vhosts[vh] = e
	m.byProto[pv] = e
	m.usedVhosts++
	return e, nil
}

// holds reports whether e's rendering is still right for clusters.
func (m *memo) holds(e *vhostEntry, clusters map[string]*ir.Cluster) bool {
	if m.clustersSame && e.gen+1 == m.gen {
		return true
	}
	for _, c := range e.deps {
		if clusters[c.Name] != c {
			return false
		}
	}
	return true
}

// dependencies are the IR clusters vh's routes send to, as they are now.
func dependencies(vh *ir.VirtualHost, clusters map[string]*ir.Cluster) []*ir.Cluster {
	var out []*ir.Cluster
	add := func(name string) {
		if c := clusters[name]; c != nil && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, r := range vh.Routes {
		if f := r.Action.Forward; f != nil {
			for _, b := range f.Backends {
				add(b.Cluster)
			}
			for _, mi := range f.Mirrors {
				add(mi.Cluster)
			}
		}
	}
	return out
}

// begin notes, before any virtual host is rendered, whether the IR's
// clusters are the previous translation's.
func (m *memo) begin(cs []*ir.Cluster) {
	if m == nil {
		return
	}
	m.clustersSame = m.lastGen+1 == m.gen && slices.Equal(m.lastIR, cs)
	m.usedVhosts = 0
}

// done remembers the rendered clusters and drops entries that have gone
// unused while they outnumber the used ones.
func (m *memo) done(cs []*ir.Cluster, res *Resources) {
	if m == nil {
		return
	}
	m.lastIR, m.lastClusters, m.lastEPs, m.lastGen = cs, res.Clusters, res.Endpoints, m.gen
	if len(m.vhosts) > 2*m.usedVhosts+64 {
		for k, e := range m.vhosts {
			if e.gen != m.gen {
				delete(m.vhosts, k)
				delete(m.byProto, e.out)
			}
		}
	}
	for k, e := range m.rcs {
		if e.gen != m.gen {
			delete(m.rcs, k)
		}
	}
	if len(m.clusters) > 2*len(cs)+64 {
		live := make(map[*ir.Cluster]*clusterEntry, len(cs))
		for _, c := range cs {
			if e := m.clusters[c]; e != nil {
				live[c] = e
			}
		}
		m.clusters = live
	}
}

// checker gives Check what this memo knows, so that it does not walk
// every route of the fleet again.
func (m *memo) checker() *checkMemo {
	if m == nil {
		return nil
	}
	return &m.check
}
