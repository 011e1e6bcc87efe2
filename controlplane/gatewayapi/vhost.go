package gatewayapi

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// contribution is one hostname an accepted route serves on a listener.
type contribution struct {
	hostname string
	route    *routeState
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
	used := map[string]bool{}
	for _, port := range slices.Sorted(maps.Keys(byPort)) {
		ls := byPort[port]
		lis := &ir.Listener{
			Name:     fmt.Sprintf("%s-%d", strings.ToLower(string(ls[0].spec.Protocol)), port),
			Address:  "0.0.0.0",
			Port:     uint32(port),
			Protocol: protocols[ls[0].spec.Protocol].ir,
		}
		lis.VirtualHosts = virtualHosts(lis, ls)
		for _, vh := range lis.VirtualHosts {
			for _, r := range vh.Routes {
				if r.Action.Forward != nil {
					for _, b := range r.Action.Forward.Backends {
						used[b.Cluster] = true
					}
				}
			}
		}
		x.Listeners = append(x.Listeners, lis)
	}
	for _, name := range slices.Sorted(maps.Keys(used)) {
		x.Clusters = append(x.Clusters, t.clusters[name])
	}
	return x
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
func virtualHosts(lis *ir.Listener, ls []*listenerState) []*ir.VirtualHost {
	vhosts := map[string]*vhostBuild{}
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
	var out []*ir.VirtualHost
	for _, h := range slices.Sorted(maps.Keys(vhosts)) {
		out = append(out, &ir.VirtualHost{
			Name:     lis.Name + "/" + h,
			Hostname: h,
			Routes:   routesFor(h, vhosts, wildcards, lis.Port),
		})
	}
	return out
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

// routesFor lists a virtual host's routes in precedence order. Routes of
// the same listener with less specific hostnames that cover this one follow
// as fallbacks: the spec gives precedence to the more specific hostname but
// does not make the others stop applying.
func routesFor(h string, vhosts map[string]*vhostBuild, wildcards []string, port uint32) []*ir.Route {
	vb := vhosts[h]
	var entries []entry
	add := func(cs []contribution) {
		for _, c := range cs {
			for _, rule := range c.route.rules {
				for j := range rule.matches {
					entries = append(entries, entry{via: c.hostname, route: c.route, rule: rule, match: j})
				}
			}
		}
	}
	add(vb.own)
	for _, h2 := range wildcards {
		if other := vhosts[h2]; h2 != h && other.owner == vb.owner && covers(h2, h) {
			add(other.own)
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
		Name:            fmt.Sprintf("httproute/%s/%s/rule/%d/match/%d", r.Namespace, r.Name, e.rule.index, e.match),
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
