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
		checkSecrets(t, x)
	}
}

// checkSecrets: sorted, unique, each used by a chain or a cluster, each
// one they name present.
func checkSecrets(t testing.TB, x *ir.Xds) {
	t.Helper()
	have, used := map[string]bool{}, map[string]bool{}
	for i, s := range x.Secrets {
		have[s.Name] = true
		if i > 0 && x.Secrets[i-1].Name >= s.Name {
			t.Errorf("%s: secrets not sorted or not unique at %q", x.Fleet, s.Name)
		}
	}
	use := func(user, name string) {
		used[name] = true
		if !have[name] {
			t.Errorf("%s: %s names missing secret %q", x.Fleet, user, name)
		}
	}
	for _, l := range x.Listeners {
		for _, fc := range l.FilterChains {
			if fc.Terminate != nil {
				if len(fc.Terminate.Certificates) == 0 {
					t.Errorf("%s: chain %q terminates TLS without a certificate", x.Fleet, fc.Name)
				}
				for _, c := range fc.Terminate.Certificates {
					use("chain "+fc.Name, c)
				}
				if cv := fc.Terminate.ClientValidation; cv != nil {
					use("chain "+fc.Name, cv.TrustedCA)
				}
			}
		}
	}
	for _, c := range x.Clusters {
		if c.TLS != nil && c.TLS.ClientCertificate != "" {
			use("cluster "+c.Name, c.TLS.ClientCertificate)
		}
	}
	for name := range have {
		if !used[name] {
			t.Errorf("%s: secret %q is not used by any chain or cluster", x.Fleet, name)
		}
	}
}

func checkListener(t testing.TB, l *ir.Listener, have, used map[string]bool) {
	t.Helper()
	checkVirtualHosts(t, l.Name, l.VirtualHosts, have, used)
	sni := map[string]bool{}
	for i, fc := range l.FilterChains {
		if i > 0 && l.FilterChains[i-1].Name >= fc.Name {
			t.Errorf("%s: filter chains not sorted or not unique at %q", l.Name, fc.Name)
		}
		names := fc.ServerNames
		if len(names) == 0 {
			names = []string{""}
		}
		for _, n := range names {
			if sni[n] {
				t.Errorf("%s: server name %q in two chains", l.Name, n)
			}
			sni[n] = true
		}
		if (fc.HTTP == nil) == (fc.Proxy == nil) {
			t.Errorf("%s: chain %q must have exactly one of http and proxy", l.Name, fc.Name)
		}
		if fc.HTTP != nil {
			checkVirtualHosts(t, fc.Name, fc.HTTP.VirtualHosts, have, used)
		}
		checkProxy(t, fc.Proxy, have, used)
	}
	checkProxy(t, l.Proxy, have, used)
}

func checkProxy(t testing.TB, p *ir.L4Proxy, have, used map[string]bool) {
	t.Helper()
	if p == nil {
		return
	}
	for _, b := range p.Backends {
		used[b.Cluster] = true
		if !have[b.Cluster] || b.Weight == 0 {
			t.Errorf("%s: backend %q missing or of weight 0", p.Route, b.Cluster)
		}
	}
}

func checkVirtualHosts(t testing.TB, owner string, vhs []*ir.VirtualHost, have, used map[string]bool) {
	t.Helper()
	hosts := map[string]bool{}
	for i, vh := range vhs {
		if i > 0 && vhs[i-1].Name >= vh.Name {
			t.Errorf("%s: virtual hosts not sorted at %q", owner, vh.Name)
		}
		if hosts[vh.Hostname] {
			t.Errorf("%s: hostname %q in two virtual hosts", owner, vh.Hostname)
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
		for _, m := range r.Action.Forward.Mirrors {
			used[m.Cluster] = true
			if !have[m.Cluster] {
				t.Errorf("%s %s: mirror cluster %q missing", vh, r.Name, m.Cluster)
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
