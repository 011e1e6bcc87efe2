package gatewayapi

import (
	"unsafe"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// A virtual host's routes are a function of its port and of its
// contributions: which route, through which hostname, with which compiled
// rules. A route whose compilation the Cache reused has the very same rules
// slice as before, so when every contribution of a virtual host is the same
// as last time, so are its routes, and the previous *ir.VirtualHost is
// reused as it is: no sorting, no new ir.Route, and the xDS translator
// recognises it by pointer.

// vhostMemo is one virtual host as last built.
type vhostMemo struct {
	port uint32
	sig  []contributionID
	vh   *ir.VirtualHost
	gen  uint64
}

// contributionID identifies a contribution across translations. rules
// points at the compiled rules, which the memo keeps alive, so an address
// cannot be reused for other rules while it is remembered.
type contributionID struct {
	hostname string
	rules    unsafe.Pointer
	n        int
}

func signature(cs []contribution) []contributionID {
	out := make([]contributionID, len(cs))
	for i, c := range cs {
		out[i] = contributionID{hostname: c.hostname, rules: unsafe.Pointer(unsafe.SliceData(c.route.rules)), n: len(c.route.rules)}
	}
	return out
}

// virtualHost returns the virtual host built last time under key (fleet
// and name) for the same port and contributions, or nil. Only contributions of routes whose
// compilation was reused qualify: others have new rules.
func (c *Cache) virtualHost(key string, port uint32, cs []contribution) *ir.VirtualHost {
	if c == nil {
		return nil
	}
	m := c.vhosts[key]
	if m == nil || m.port != port || len(m.sig) != len(cs) {
		return nil
	}
	for i, ct := range cs {
		id := m.sig[i]
		if id.hostname != ct.hostname || id.rules != unsafe.Pointer(unsafe.SliceData(ct.route.rules)) || id.n != len(ct.route.rules) {
			return nil
		}
	}
	m.gen = c.gen
	return m.vh
}

func (c *Cache) rememberVirtualHost(key string, vh *ir.VirtualHost, port uint32, cs []contribution) {
	if c == nil {
		return
	}
	// Rules compiled without the cache (other route kinds) are new every
	// time; remembering them would only fill the map.
	for _, ct := range cs {
		if !c.compiled(ct.route) {
			delete(c.vhosts, key)
			return
		}
	}
	c.vhosts[key] = &vhostMemo{port: port, sig: signature(cs), vh: vh, gen: c.gen}
}

// compiled reports whether rs's rules are a cached compilation (see
// compileHTTPRoute), which stays the same slice while the route does.
func (c *Cache) compiled(rs *routeState) bool {
	return rs.src != nil && c.routes[rs.src] != nil
}
