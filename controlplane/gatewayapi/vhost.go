package gatewayapi

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// contribution is one hostname an accepted route serves on a listener.
type contribution struct {
	hostname string
	route    *routeState
	// order is an HTTPRoute's position in the sorted input (routeState.pos).
	order int
}

// buildXds renders a fleet: one IR listener per port, merged from every
// programmed listener of the class's Gateways on that port.
func (t *translator) buildXds(cs *classState) *ir.Xds {
	x := &ir.Xds{Fleet: cs.obj.Name}
	byPort := map[int32][]*listenerState{}
	for _, gs := range cs.gateways {
		for _, l := range gs.listeners {
			if l.programmed() {
				byPort[l.port()] = append(byPort[l.port()], l)
			}
		}
	}
	for _, port := range slices.Sorted(maps.Keys(byPort)) {
		x.Listeners = append(x.Listeners, t.buildListener(uint32(port), byPort[port]))
	}
	x.Clusters, x.Secrets = t.usedBy(x.Fleet, x.Listeners)
	t.finishTLS(cs, x)
	return x
}

// buildListener merges the programmed listeners of one port, which share
// a protocol family (conflicts are settled before).
func (t *translator) buildListener(port uint32, ls []*listenerState) *ir.Listener {
	proto := protocols[ls[0].spec.Protocol].ir
	name := strings.ToLower(string(proto))
	if slices.ContainsFunc(ls, func(l *listenerState) bool { return l.spec.Protocol == gwapiv1.HTTPSProtocolType }) {
		name = "https"
	}
	lis := &ir.Listener{
		Name:     fmt.Sprintf("%s-%d", name, port),
		Address:  "0.0.0.0",
		Port:     port,
		Protocol: proto,
	}
	switch proto {
	case ir.ProtocolHTTP:
		lis.VirtualHosts = t.httpVirtualHosts(lis.Name, lis.Port, ls)
	case ir.ProtocolTLS:
		lis.FilterChains = t.filterChains(lis, ls)
	case ir.ProtocolTCP, ir.ProtocolUDP:
		lis.Proxy = l4Proxy(ls)
	}
	return lis
}

// usedBy lists the clusters and secrets the listeners refer to, by name.
// key names the listeners across translations, for the Cache.
func (t *translator) usedBy(key string, ls []*ir.Listener) ([]*ir.Cluster, []*ir.Secret) {
	clusters, secrets := map[string]bool{}, map[string]bool{}
	var vhosts []*ir.VirtualHost
	forward := func(vhs []*ir.VirtualHost) {
		vhosts = append(vhosts, vhs...)
	}
	proxy := func(p *ir.L4Proxy) {
		if p != nil {
			for _, b := range p.Backends {
				clusters[b.Cluster] = true
			}
		}
	}
	for _, l := range ls {
		forward(l.VirtualHosts)
		proxy(l.Proxy)
		for _, fc := range l.FilterChains {
			if fc.HTTP != nil {
				forward(fc.HTTP.VirtualHosts)
			}
			proxy(fc.Proxy)
			if fc.Terminate != nil {
				for _, s := range fc.Terminate.Certificates {
					secrets[s] = true
				}
			}
		}
	}
	var cs []*ir.Cluster
	if t.cache != nil && len(clusters) == 0 {
		cs = t.cache.forwardClusters(key, vhosts, t.clusters)
	} else {
		for _, vh := range vhosts {
			for _, name := range t.cache.clustersOf(vh) {
				clusters[name] = true
			}
		}
		for _, name := range slices.Sorted(maps.Keys(clusters)) {
			cs = append(cs, t.clusters[name])
		}
	}
	var ss []*ir.Secret
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		ss = append(ss, t.secrets[name])
	}
	return cs, ss
}

// vhostBuild is a virtual host in the making. Each has exactly one owner:
// the most specific listener on the port whose hostname covers it.
type vhostBuild struct {
	owner *listenerState
	own   []contribution
}

// virtualHosts implements listener isolation on a shared port. A request
// must only be routed by the routes of the most specific listener matching
// its host, so a route's hostname that a more specific listener covers is
// dropped from the less specific one, and a more specific listener gets a
// virtual host of its own (empty if need be: 404) wherever a less specific
// virtual host would otherwise catch its requests.
func virtualHosts(prefix string, port uint32, ls []*listenerState) []*ir.VirtualHost {
	return virtualHostsWith(nil, prefix, port, ls)
}

// virtualHostsWith is virtualHosts, reusing c's virtual hosts whose
// routes come from the same compilations as before (cache_vhost.go).
func virtualHostsWith(c *Cache, prefix string, port uint32, ls []*listenerState) []*ir.VirtualHost {
	out, _, _ := buildVirtualHosts(c, prefix, port, ls)
	return out
}

// buildVirtualHosts is virtualHostsWith, also returning the virtual hosts
// in the making by hostname and the wildcard ones among them, sorted.
func buildVirtualHosts(c *Cache, prefix string, port uint32, ls []*listenerState) ([]*ir.VirtualHost, map[string]*vhostBuild, []string) {
	n := 0
	for _, l := range ls {
		n += len(l.contribs)
	}
	// Sized for a hostname per contribution, as when every route has its
	// own, rather than grown through every power of two.
	vhosts := make(map[string]*vhostBuild, n)
	for _, l := range ls {
		for _, c := range l.contribs {
			if owner := ownerOf(c.hostname, ls); owner == l {
				vb := vhosts[c.hostname]
				if vb == nil {
					vb = &vhostBuild{owner: l}
					vhosts[c.hostname] = vb
				}
				vb.own = append(vb.own, c)
			}
		}
	}
	for _, l := range ls {
		if l.hostname == "" || vhosts[l.hostname] != nil {
			continue
		}
		for h, vb := range vhosts {
			if vb.owner != l && overlaps(h, l.hostname) {
				vhosts[l.hostname] = &vhostBuild{owner: l}
				break
			}
		}
	}
	// Only wildcards can be fallbacks; there are usually few of them.
	var wildcards []string
	for h := range vhosts {
		if h == anyHost || isWildcard(h) {
			wildcards = append(wildcards, h)
		}
	}
	// Sorted so that a virtual host's contributions come in the same
	// order every time, which the cache compares.
	slices.Sort(wildcards)
	hosts := slices.Sorted(maps.Keys(vhosts))
	out := make([]*ir.VirtualHost, len(hosts))
	build := func(i int) {
		cs := contributionsFor(hosts[i], vhosts, wildcards)
		out[i] = c.buildVirtualHost(ls[0].gw.class.obj.Name, prefix, port, hosts[i], cs)
	}
	if c != nil {
		// The Cache's memo is not safe for concurrent use, and through
		// it few virtual hosts are built anyway.
		for i := range hosts {
			build(i)
		}
	} else {
		// Without a Cache, building a virtual host only reads: the
		// translation's state is settled once the routes are committed.
		forEachParallel(len(hosts), build)
	}
	return out, vhosts, wildcards
}

// buildVirtualHost is the virtual host for hostname h with contributions
// cs, reused from c when they are the same as last time.
func (c *Cache) buildVirtualHost(fleet, prefix string, port uint32, h string, cs []contribution) *ir.VirtualHost {
	key := vhostKey(fleet, prefix, h)
	name := key[len(fleet)+1:]
	if vh := c.virtualHost(key, port, cs); vh != nil {
		return vh
	}
	vh := &ir.VirtualHost{Name: name, Hostname: h, Routes: routesFor(cs, port)}
	c.rememberVirtualHost(key, vh, port, cs)
	return vh
}

// vhostKey keys a virtual host by fleet too: every fleet has its
// "http-80". The name is the key's tail, which saves a string per virtual
// host.
func vhostKey(fleet, prefix, h string) string {
	return fleet + "\x00" + prefix + "/" + h
}

func ownerOf(h string, ls []*listenerState) *listenerState {
	var best *listenerState
	for _, l := range ls {
		if covers(l.hostname, h) && (best == nil || moreSpecific(l.hostname, best.hostname)) {
			best = l
		}
	}
	return best
}

// entry is one match of one rule, placed in a virtual host through a
// route hostname.
type entry struct {
	via   string // the route hostname that brought it here
	route *routeState
	rule  *ruleIR
	match int
}

// contributionsFor lists what a virtual host's routes come from: its own
// contributions, then, as fallbacks, those of the same listener's less
// specific hostnames that cover it. The spec gives precedence to the more
// specific hostname but does not make the others stop applying.
func contributionsFor(h string, vhosts map[string]*vhostBuild, wildcards []string) []contribution {
	vb := vhosts[h]
	out := slices.Clip(vb.own)
	for _, h2 := range wildcards {
		if other := vhosts[h2]; h2 != h && other.owner == vb.owner && covers(h2, h) {
			out = append(out, other.own...)
		}
	}
	return out
}

// routesFor lists a virtual host's routes in precedence order.
func routesFor(cs []contribution, port uint32) []*ir.Route {
	var entries []entry
	for _, c := range cs {
		for _, rule := range c.route.rules {
			for j := range rule.matches {
				entries = append(entries, entry{via: c.hostname, route: c.route, rule: rule, match: j})
			}
		}
	}
	slices.SortFunc(entries, compareEntries)
	seen := map[string]bool{}
	var out []*ir.Route
	for _, e := range entries {
		r := e.toIR(port)
		if !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r)
		}
	}
	return out
}

func (e entry) toIR(port uint32) *ir.Route {
	r := e.route.obj
	out := &ir.Route{
		Name: fmt.Sprintf("%s/%s/%s/rule/%d/match/%d", strings.ToLower(string(e.route.kind)), r.GetNamespace(), r.GetName(),
			e.rule.index, e.match),
		Match:           e.rule.matches[e.match],
		Action:          e.rule.action,
		RequestHeaders:  e.rule.reqHeaders,
		ResponseHeaders: e.rule.respHeaders,
	}
	if e.rule.action.Redirect != nil {
		redirect := *e.rule.action.Redirect
		if e.rule.redirectToListenerPort {
			redirect.Port = port
		}
		out.Action.Redirect = &redirect
	}
	return out
}
