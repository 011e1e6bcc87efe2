package ir

import (
	"reflect"
	"slices"
)

// Structural sharing.
//
// A published IR is immutable: nobody writes to an Xds, or to anything it
// points to, once it is on the Message Service. That makes pointer
// identity a free, exact test of "unchanged", which the xDS translator's
// Cache relies on to reuse what it rendered for a piece before. Share
// gives a freshly built IR that property with respect to the previous one.

// Share returns next with every listener, filter chain, virtual host,
// cluster and secret that equals the one of the same name in prev replaced
// by prev's pointer, and whether next differs from prev at all. When it
// does not, prev itself is returned. next must not be published yet: it is
// modified in place. prev is only read.
func Share(prev, next *Xds) (*Xds, bool) {
	if next == nil || prev == nil {
		return next, prev != next
	}
	share(prev.Listeners, next.Listeners, func(l *Listener) string { return l.Name }, shareListener)
	share(prev.Clusters, next.Clusters, func(c *Cluster) string { return c.Name }, func(old, c *Cluster) *Cluster {
		if clusterEqual(old, c) {
			return old
		}
		return c
	})
	share(prev.Secrets, next.Secrets, func(s *Secret) string { return s.Name }, func(old, s *Secret) *Secret {
		if reflect.DeepEqual(old, s) {
			return old
		}
		return s
	})
	if prev.Fleet == next.Fleet && slices.Equal(prev.Listeners, next.Listeners) &&
		slices.Equal(prev.Clusters, next.Clusters) && slices.Equal(prev.Secrets, next.Secrets) {
		return prev, false
	}
	return next, true
}

// share replaces each item of next by with(old, item), old being prev's
// item of the same name, if any. Items are looked up where they were
// first: both lists are usually the same names in the same order, with
// thousands of items, most of them the very same pointers.
func share[T any](prev, next []*T, name func(*T) string, with func(old, next *T) *T) {
	var m map[string]*T
	for i, it := range next {
		var old *T
		if i < len(prev) && prev[i] != nil && it != nil && (prev[i] == it || name(prev[i]) == name(it)) {
			old = prev[i]
		} else {
			if m == nil {
				m = byName(prev, name)
			}
			old = m[name(it)]
		}
		if old == it {
			continue
		}
		if old != nil {
			next[i] = with(old, it)
		}
	}
}

func byName[T any](items []*T, name func(*T) string) map[string]*T {
	m := make(map[string]*T, len(items))
	for _, it := range items {
		if it != nil {
			m[name(it)] = it
		}
	}
	return m
}

// shareListener shares next's virtual hosts and chains with old's, and
// returns old if nothing else differs.
func shareListener(old, next *Listener) *Listener {
	if old == next {
		return old
	}
	shareVirtualHosts(old.VirtualHosts, next.VirtualHosts)
	share(old.FilterChains, next.FilterChains, func(fc *FilterChain) string { return fc.Name }, shareChain)
	if old.Name == next.Name && old.Address == next.Address && old.Port == next.Port && old.Protocol == next.Protocol &&
		slices.Equal(old.VirtualHosts, next.VirtualHosts) && slices.Equal(old.FilterChains, next.FilterChains) &&
		reflect.DeepEqual(old.Proxy, next.Proxy) {
		return old
	}
	return next
}

func shareChain(old, next *FilterChain) *FilterChain {
	if old == next || next.HTTP == nil || old.HTTP == nil {
		if reflect.DeepEqual(old, next) {
			return old
		}
		return next
	}
	shareVirtualHosts(old.HTTP.VirtualHosts, next.HTTP.VirtualHosts)
	if slices.Equal(old.HTTP.VirtualHosts, next.HTTP.VirtualHosts) {
		// The virtual hosts are shared now, so DeepEqual compares the
		// rest cheaply.
		c := *next
		c.HTTP = old.HTTP
		if reflect.DeepEqual(old, &c) {
			return old
		}
	}
	return next
}

// shareVirtualHosts replaces each of next's virtual hosts by old's of the
// same name when they are equal.
func shareVirtualHosts(old, next []*VirtualHost) {
	share(old, next, func(vh *VirtualHost) string { return vh.Name }, func(o, vh *VirtualHost) *VirtualHost {
		if virtualHostEqual(o, vh) {
			return o
		}
		return vh
	})
}

func virtualHostEqual(a, b *VirtualHost) bool {
	return a == b || (a.Name == b.Name && a.Hostname == b.Hostname && slices.EqualFunc(a.Routes, b.Routes, routeEqual))
}

// routeEqual is hand-written for the common fields because a fleet has
// tens of thousands of routes; the rarer parts go through DeepEqual, which
// returns at once for identical pointers.
func routeEqual(a, b *Route) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.Name == b.Name && matchEqual(&a.Match, &b.Match) &&
		actionEqual(&a.Action, &b.Action) &&
		reflect.DeepEqual(a.RequestHeaders, b.RequestHeaders) &&
		reflect.DeepEqual(a.ResponseHeaders, b.ResponseHeaders)
}

func matchEqual(a, b *Match) bool {
	return a.PathType == b.PathType && a.Path == b.Path && a.Method == b.Method &&
		slices.Equal(a.Headers, b.Headers) && slices.Equal(a.QueryParams, b.QueryParams)
}

func actionEqual(a, b *Action) bool {
	if (a.Forward == nil) != (b.Forward == nil) || (a.Redirect == nil) != (b.Redirect == nil) ||
		(a.DirectResponse == nil) != (b.DirectResponse == nil) {
		return false
	}
	return forwardEqual(a.Forward, b.Forward) && reflect.DeepEqual(a.Redirect, b.Redirect) &&
		reflect.DeepEqual(a.DirectResponse, b.DirectResponse)
}

func forwardEqual(a, b *Forward) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return slices.EqualFunc(a.Backends, b.Backends, weightedClusterEqual) &&
		a.Timeout == b.Timeout && a.BackendTimeout == b.BackendTimeout &&
		slices.Equal(a.Mirrors, b.Mirrors) &&
		reflect.DeepEqual(a.Rewrite, b.Rewrite) && reflect.DeepEqual(a.InvalidBackends, b.InvalidBackends) &&
		reflect.DeepEqual(a.Retry, b.Retry) && reflect.DeepEqual(a.CORS, b.CORS)
}

func weightedClusterEqual(a, b WeightedCluster) bool {
	return a.Cluster == b.Cluster && a.Weight == b.Weight &&
		reflect.DeepEqual(a.RequestHeaders, b.RequestHeaders) && reflect.DeepEqual(a.ResponseHeaders, b.ResponseHeaders)
}

func clusterEqual(a, b *Cluster) bool {
	return a == b || (a.Name == b.Name && a.Protocol == b.Protocol && slices.Equal(a.Endpoints, b.Endpoints) &&
		reflect.DeepEqual(a.TLS, b.TLS))
}
