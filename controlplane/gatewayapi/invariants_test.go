package gatewayapi

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// checkInvariants asserts what the IR promises its consumers, whatever the
// input: sorted listeners, virtual hosts and clusters; unique hostnames per
// listener; exactly one action per route; every cluster a route names is
// present and every present cluster is used; regexes compile.
func checkInvariants(t testing.TB, r *Result) {
	t.Helper()
	for fleet, x := range r.IR {
		if x.Fleet != fleet {
			t.Errorf("IR keyed %q has Fleet %q", fleet, x.Fleet)
		}
		if !slices.IsSortedFunc(x.Listeners, func(a, b *ir.Listener) int { return int(a.Port) - int(b.Port) }) {
			t.Errorf("%s: listeners not sorted by port", fleet)
		}
		have := map[string]bool{}
		for i, c := range x.Clusters {
			have[c.Name] = true
			if i > 0 && x.Clusters[i-1].Name >= c.Name {
				t.Errorf("%s: clusters not sorted or not unique at %q", fleet, c.Name)
			}
		}
		used := map[string]bool{}
		ports := map[uint32]bool{}
		for _, l := range x.Listeners {
			if ports[l.Port] {
				t.Errorf("%s: two listeners on port %d", fleet, l.Port)
			}
			ports[l.Port] = true
			checkListener(t, l, have, used)
		}
		for name := range have {
			if !used[name] {
				t.Errorf("%s: cluster %q is not used by any route", fleet, name)
			}
		}
	}
}

func checkListener(t testing.TB, l *ir.Listener, have, used map[string]bool) {
	t.Helper()
	hosts := map[string]bool{}
	for i, vh := range l.VirtualHosts {
		if i > 0 && l.VirtualHosts[i-1].Name >= vh.Name {
			t.Errorf("%s: virtual hosts not sorted at %q", l.Name, vh.Name)
		}
		if hosts[vh.Hostname] {
			t.Errorf("%s: hostname %q in two virtual hosts", l.Name, vh.Hostname)
		}
		hosts[vh.Hostname] = true
		names := map[string]bool{}
		for _, r := range vh.Routes {
			if names[r.Name] {
				t.Errorf("%s: route %q twice", vh.Name, r.Name)
			}
			names[r.Name] = true
			checkRoute(t, vh.Name, r, have, used)
		}
	}
}

func checkRoute(t testing.TB, vh string, r *ir.Route, have, used map[string]bool) {
	t.Helper()
	n := 0
	if r.Action.Forward != nil {
		n++
		if len(r.Action.Forward.Backends) == 0 {
			t.Errorf("%s %s: forward without backends", vh, r.Name)
		}
		for _, b := range r.Action.Forward.Backends {
			used[b.Cluster] = true
			if !have[b.Cluster] {
				t.Errorf("%s %s: cluster %q missing", vh, r.Name, b.Cluster)
			}
			if b.Weight == 0 {
				t.Errorf("%s %s: zero weight for %q", vh, r.Name, b.Cluster)
			}
		}
	}
	if r.Action.Redirect != nil {
		n++
	}
	if r.Action.DirectResponse != nil {
		n++
	}
	if n != 1 {
		t.Errorf("%s %s: %d actions set, want exactly 1", vh, r.Name, n)
	}
	if r.Match.PathType == ir.PathRegex {
		if _, err := regexp.Compile(r.Match.Path); err != nil {
			t.Errorf("%s %s: bad path regex: %v", vh, r.Name, err)
		}
	} else if !strings.HasPrefix(r.Match.Path, "/") {
		t.Errorf("%s %s: path %q does not start with /", vh, r.Name, r.Match.Path)
	}
	for _, sm := range append(append([]ir.StringMatch{}, r.Match.Headers...), r.Match.QueryParams...) {
		if sm.Type == ir.StringRegex {
			if _, err := regexp.Compile(sm.Value); err != nil {
				t.Errorf("%s %s: bad regex for %q: %v", vh, r.Name, sm.Name, err)
			}
		}
	}
}
