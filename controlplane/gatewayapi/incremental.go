package gatewayapi

import (
	"maps"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// Incremental translation.
//
// Compiling an HTTPRoute's rules (matches, filters, backendRefs resolved
// to clusters) depends on the route and on the objects that are not
// routes: Services, EndpointSlices, Backends, ReferenceGrants,
// BackendTLSPolicies and the rest. A Cache remembers each route's
// compilation, keyed by the input object's identity, and reuses it while
// the route object and every non-route object are the very ones it was
// compiled with, but for GatewayClasses, Gateways and ListenerSets, which
// compilations do not read and whose status alone may change
// (cache_world.go). Any other change to a non-route object forgets
// everything, so the next translation is a full one. Everything else
// (parents, conflicts, precedence, status, the IR) is computed for every translation, as
// Translate does; the output is always Translate's.
//
// Identity is sound because config sources publish snapshots: an object in
// a published Resources is never modified, a changed object is a new one.
// The resourceVersion and generation are compared as well, as a guard.

// Cache carries route compilations from one translation to the next.
// Its zero value is ready; it is safe for one translation at a time.
type Cache struct {
	mu sync.Mutex
	// world identifies the non-route objects the entries were compiled
	// against, kind by kind.
	world  [][]unsafe.Pointer
	opts   Options
	gen    uint64
	routes map[*gwapiv1.HTTPRoute]*compiledRoute
	// vhosts are the virtual hosts last built, by name (cache_vhost.go).
	vhosts map[string]*vhostMemo
	// vhClusters and used speed up listing clusters (cache_usedby.go).
	vhClusters map[*ir.VirtualHost]*vhostClusters
	used       map[string]*usedClusters
	// hits counts reused compilations, patches patched translations
	// (cache_routes.go), for tests.
	hits, patches int
	// sameWorld: this translation's non-route objects are the last one's,
	// so last's index lookups and clusters hold; reset by begin.
	sameWorld bool
	// sameCompiled: the compilations of the last translation hold for this
	// one (sameCompileWorld), and so do the last index's lookups.
	sameCompiled bool
	// last is the last translation that completed; prev is the one this
	// translation may reuse (last, if the world is the same), so that a
	// translation that panicked is never reused.
	last, prev *translator
	// superseded is the translation last was when this one began; spare
	// are its route states, once it is no longer last (routeStates).
	superseded *translator
	spare      []routeState
	// routesIn and routesSorted are the last HTTPRoutes as given and as
	// sorted, to sort the next ones without comparing keys.
	routesIn, routesSorted []*gwapiv1.HTTPRoute
}

// compiledRoute is what compileRoute produced for one route.
type compiledRoute struct {
	resourceVersion string
	generation      int64
	gen             uint64

	hostnames []string
	rules     []*ruleIR
	invalid   *cond
	partial   *cond
	resolved  cond
	// clusters the rules send to, and the BackendTLSPolicies the
	// backendRefs picked up: the side effects of compiling.
	clusters []*ir.Cluster
	// policies are by object: each translation has its own tlsPolicy.
	policies []nsName
	// out is the route's last output object (cache_status.go).
	out *gwapiv1.HTTPRoute
}

// Translate is Translate with res's unchanged routes' compilations reused.
func (c *Cache) Translate(res *resource.Resources, opts Options) *Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return translate(res, opts, c)
}

// begin forgets the route compilations and virtual hosts if res's
// non-route objects, as compilations read them (sameCompileWorld), or opts
// are not those of the last translation; the last translation itself is
// reused (prev) only when they are the very same objects.
func (c *Cache) begin(res *resource.Resources, opts Options) {
	world := worldOf(res)
	compiled := c.routes != nil && sameOptions(c.opts, opts)
	c.sameWorld = compiled && sameWorld(c.world, world)
	compiled = c.sameWorld || compiled && sameCompileWorld(c.world, world)
	c.sameCompiled = compiled
	c.prev = nil
	if c.sameWorld {
		c.prev = c.last
	}
	c.superseded, c.last = c.last, nil
	if !compiled {
		c.routes = map[*gwapiv1.HTTPRoute]*compiledRoute{}
		c.vhosts = map[string]*vhostMemo{}
		c.vhClusters = map[*ir.VirtualHost]*vhostClusters{}
		c.used = map[string]*usedClusters{}
	}
	c.world, c.opts = world, opts
	c.gen++
}

// end drops the routes and virtual hosts the translation did not see. A
// patched translation saw only the changed ones (cache_routes.go,
// cache_vhost_patch.go): it drops those it patched out, and the next full
// one sweeps.
func (c *Cache) end() {
	if c.last != nil && c.last.patched {
		for _, r := range c.last.dropped {
			delete(c.routes, r)
		}
		for _, key := range c.last.goneVhosts {
			delete(c.vhosts, key)
		}
	} else {
		for r, e := range c.routes {
			if e.gen != c.gen {
				delete(c.routes, r)
			}
		}
		for name, m := range c.vhosts {
			if m.gen != c.gen {
				delete(c.vhosts, name)
			}
		}
	}
	for vh, e := range c.vhClusters {
		if e.gen != c.gen {
			delete(c.vhClusters, vh)
		}
	}
	for key, u := range c.used {
		if u.gen != c.gen {
			delete(c.used, key)
		}
	}
}

// sameOptions compares what can be compared; a function option counts
// as the same when it is the same function value.
func sameOptions(a, b Options) bool {
	return a.ControllerName == b.ControllerName && a.RequireParametersRef == b.RequireParametersRef &&
		reflect.ValueOf(a.AddressUsable).Pointer() == reflect.ValueOf(b.AddressUsable).Pointer()
}

var httpRoutesField = func() int {
	f, _ := reflect.TypeFor[resource.Resources]().FieldByName("HTTPRoutes")
	return f.Index[0]
}()

// worldOf lists the identities of every object of res but its HTTPRoutes,
// kind by kind. It reads the fields by reflection so that a kind added
// to Resources counts without a change here.
func worldOf(res *resource.Resources) [][]unsafe.Pointer {
	v := reflect.ValueOf(res).Elem()
	out := make([][]unsafe.Pointer, 0, v.NumField())
	for i := range v.NumField() {
		f := v.Field(i)
		if i == httpRoutesField || f.Kind() != reflect.Slice {
			continue
		}
		ptrs := make([]unsafe.Pointer, f.Len())
		for j := range ptrs {
			ptrs[j] = f.Index(j).UnsafePointer()
		}
		out = append(out, ptrs)
	}
	return out
}

func sameWorld(a, b [][]unsafe.Pointer) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

// compileHTTPRoute returns the compile step for HTTPRoutes: with a Cache,
// the cached compilation of rs.src if there is one, else compileRoute,
// whose result is then cached.
func (t *translator) compileHTTPRoute() func(*routeState) {
	if t.cache == nil {
		return t.compileRoute
	}
	return t.compileCached
}

func (t *translator) compileCached(rs *routeState) {
	c, src := t.cache, rs.src
	if e := c.routes[src]; e != nil && e.resourceVersion == src.ResourceVersion && e.generation == src.Generation {
		e.gen = c.gen
		c.hits++
		rs.entry = e
		t.replay(rs, e)
		return
	}
	t.compileRoute(rs)
	rs.entry = t.record(rs, src, c.gen)
	c.routes[src] = rs.entry
}

func (t *translator) record(rs *routeState, src *gwapiv1.HTTPRoute, gen uint64) *compiledRoute {
	e := &compiledRoute{
		resourceVersion: src.ResourceVersion, generation: src.Generation, gen: gen,
		hostnames: rs.hostnames, rules: rs.rules, invalid: rs.invalid, partial: rs.partial, resolved: rs.resolved,
	}
	for _, p := range t.btls.used[rs.obj] {
		e.policies = append(e.policies, keyOf(p.obj))
	}
	seen := map[string]bool{}
	add := func(name string) {
		if c := t.clusters[name]; c != nil && !seen[name] {
			seen[name] = true
			e.clusters = append(e.clusters, c)
		}
	}
	for _, r := range rs.rules {
		if f := r.action.Forward; f != nil {
			for _, b := range f.Backends {
				add(b.Cluster)
			}
			for _, m := range f.Mirrors {
				add(m.Cluster)
			}
		}
	}
	return e
}

func (t *translator) replay(rs *routeState, e *compiledRoute) {
	rs.hostnames, rs.rules, rs.invalid, rs.partial, rs.resolved = e.hostnames, e.rules, e.invalid, e.partial, e.resolved
	// Cloned from the last translation, t.clusters already holds every
	// cluster a compilation of this world made (see clusterMap).
	for _, c := range e.clusters {
		if t.cache.prev != nil {
			break
		}
		if _, ok := t.clusters[c.Name]; !ok {
			t.clusters[c.Name] = c
		}
	}
	for _, k := range e.policies {
		for _, p := range t.btls.all {
			if keyOf(p.obj) == k {
				t.btls.used[rs.obj] = append(t.btls.used[rs.obj], p)
				break
			}
		}
	}
}

// index returns res's index, reusing the last one's lookups when the
// non-route objects are the same, or differ in status only.
func (c *Cache) index(res *resource.Resources) *index {
	if c == nil {
		return newIndex(res)
	}
	var world *index
	switch {
	case c.prev != nil:
		world = c.prev.idx
	case c.sameCompiled && c.superseded != nil:
		// Its lookups are of the very same objects but Gateways, which
		// they only list by key, and those are the same (sameMetaAndSpec).
		world = c.superseded.idx
	}
	return newIndexFrom(res, world, c.sortRoutes)
}

// sortRoutes is sortedRefs for HTTPRoutes, fast when each route is the
// last translation's at the same position or one with the same key in
// its place, as when a route is edited: the order is then the last one.
func (c *Cache) sortRoutes(in []*gwapiv1.HTTPRoute) []*gwapiv1.HTTPRoute {
	if len(in) == len(c.routesIn) && !slices.Contains(in, nil) {
		pos := make(map[*gwapiv1.HTTPRoute]int, 8)
		same := true
		for i, r := range in {
			if old := c.routesIn[i]; r != old {
				if old == nil || keyOf(r) != keyOf(old) {
					same = false
					break
				}
				pos[old] = i
			}
		}
		if same && len(pos) < len(in)/4+1 {
			out := slices.Clone(c.routesSorted)
			for i, r := range out {
				if j, ok := pos[r]; ok {
					out[i] = in[j]
				}
			}
			c.routesIn, c.routesSorted = slices.Clone(in), out
			return out
		}
	}
	out := sortedRefs(in)
	c.routesIn, c.routesSorted = slices.Clone(in), out
	return out
}

// clusterMap starts a translation's clusters: the last translation's when
// the non-route objects are the same, since a cluster is a function of
// them; entries no route uses are never looked up by name.
func (c *Cache) clusterMap() map[string]*ir.Cluster {
	if c == nil || c.prev == nil {
		return map[string]*ir.Cluster{}
	}
	return maps.Clone(c.prev.clusters)
}

// keep remembers t for the next translation, without what only this
// one needed.
func (c *Cache) keep(t *translator) {
	if c != nil {
		// A patched translation holds route states of the one before
		// (cache_routes.go), whose slab must then not be recycled.
		if c.superseded != nil && !t.patched {
			c.spare = c.superseded.states
		} else if t.patched {
			c.spare = nil
			c.patches++
		}
		if t.patched {
			t.detachFresh()
		}
		c.last, c.prev, c.superseded = t, nil, nil
	}
}

// routeStates returns n zeroed route states: the ones of the translation
// before last when they are enough. Nothing outlives a translation but
// its Result, its IR and what the Cache keeps, none of which points at a
// route state, and the last translation is never the one recycled; a
// fresh slab of ten thousand states was mostly page faults.
func (c *Cache) routeStates(n int) []routeState {
	if c != nil && cap(c.spare) >= n {
		s := c.spare[:n]
		c.spare = nil
		clear(s)
		return s
	}
	return make([]routeState, n)
}
