package gatewayapi

import (
	"slices"
	"strings"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// Patching a port's virtual hosts.
//
// A patched translation (cache_routes.go) knows the hostnames whose
// contributions changed on each listener. On a port with one listener,
// a virtual host is a function of its own hostname's contributions and of
// the wildcard hostnames' that cover it; when no changed hostname is a
// wildcard, the other virtual hosts are last time's, and only the changed
// hostnames' are built again (or dropped, or added) in the sorted list.
// Ports with several listeners (listener isolation) are built in full.

// vhostGroup is the virtual hosts of one fleet's HTTP port as built.
type vhostGroup struct {
	ls  []*listenerState
	out []*ir.VirtualHost // sorted by hostname
	// wildcards are the wildcard hostnames among out's, sorted, and own
	// their own contributions; kept for ports with one listener.
	wildcards []string
	own       map[string][]contribution
}

// httpVirtualHosts is virtualHostsWith for an HTTP port of the IR,
// patching the last translation's when it can.
func (t *translator) httpVirtualHosts(prefix string, port uint32, ls []*listenerState) []*ir.VirtualHost {
	if t.cache == nil {
		return virtualHostsWith(nil, prefix, port, ls)
	}
	fleet := ls[0].gw.class.obj.Name
	key := fleet + "\x00" + prefix
	if t.groups == nil {
		t.groups = map[string]*vhostGroup{}
	}
	var last *vhostGroup
	if t.patched {
		last = t.cache.prev.groups[key]
	}
	if out, ok := t.patchVirtualHosts(last, key, fleet, prefix, port, ls); ok {
		return out
	}
	out, vhosts, wildcards := buildVirtualHosts(t.cache, prefix, port, ls)
	g := &vhostGroup{ls: ls, out: out}
	if len(ls) == 1 {
		g.wildcards, g.own = wildcards, make(map[string][]contribution, len(wildcards))
		for _, w := range wildcards {
			g.own[w] = slices.Clip(vhosts[w].own)
		}
	}
	t.groups[key] = g
	if last != nil {
		t.forgetGone(fleet, prefix, last.out, out)
	}
	return out
}

func (t *translator) patchVirtualHosts(last *vhostGroup, key, fleet, prefix string, port uint32, ls []*listenerState) ([]*ir.VirtualHost, bool) {
	if last == nil || len(ls) != 1 || len(last.ls) != 1 || t.sameListener(last.ls[0]) != ls[0] || last.own == nil {
		return nil, false
	}
	l := ls[0]
	hs := t.touched[l]
	for _, h := range hs {
		if h == anyHost || isWildcard(h) {
			return nil, false
		}
	}
	g := &vhostGroup{ls: ls, out: last.out, wildcards: last.wildcards, own: last.own}
	t.groups[key] = g
	if len(hs) == 0 {
		return g.out, true
	}
	own := make([][]contribution, len(hs))
	for _, c := range l.contribs {
		if i := indexOf(hs, c.hostname); i >= 0 {
			own[i] = append(own[i], c)
		}
	}
	out := make([]*ir.VirtualHost, 0, len(last.out)+len(hs))
	j := 0
	emit := func(i int) {
		h := hs[i]
		if len(own[i]) == 0 || !covers(l.hostname, h) {
			return
		}
		cs := own[i]
		for _, w := range g.wildcards {
			if w != h && covers(w, h) {
				cs = append(cs, g.own[w]...)
			}
		}
		out = append(out, t.cache.buildVirtualHost(fleet, prefix, port, h, cs))
	}
	for _, vh := range last.out {
		for j < len(hs) && hs[j] < vh.Hostname {
			emit(j)
			j++
		}
		if j < len(hs) && hs[j] == vh.Hostname {
			emit(j)
			j++
			continue
		}
		out = append(out, vh)
	}
	for ; j < len(hs); j++ {
		emit(j)
	}
	g.out = out
	t.forgetGone(fleet, prefix, last.out, out)
	return out, true
}

func indexOf(hs []string, h string) int {
	for i := range hs {
		if hs[i] == h {
			return i
		}
	}
	return -1
}

// forgetGone notes the virtual hosts of before, sorted like after, whose
// hostname after has not: a patched translation forgets their memos
// itself (Cache.end), as it does not look every virtual host up.
func (t *translator) forgetGone(fleet, prefix string, before, after []*ir.VirtualHost) {
	j := 0
	for _, vh := range before {
		for j < len(after) && strings.Compare(after[j].Hostname, vh.Hostname) < 0 {
			j++
		}
		if j < len(after) && after[j].Hostname == vh.Hostname {
			continue
		}
		t.goneVhosts = append(t.goneVhosts, vhostKey(fleet, prefix, vh.Hostname))
	}
}
