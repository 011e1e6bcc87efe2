package translator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// TestCacheEqualsTranslate applies random changes to an IR, one after the
// other, and checks that the Cache's output equals a from-scratch
// Translate of the same IR after each, errors included. The IR handed to
// the cache goes through ir.Share, as the Gateway API runner publishes
// it, or (every few steps) is a fresh copy with no pointer in common.
func TestCacheEqualsTranslate(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			c := NewCache()
			cur := randomIR(rng)
			var published *ir.Xds
			reused := 0
			for step := range 150 {
				if step > 0 {
					mutate(rng, cur)
				}
				next := cloneIR(t, cur)
				if step%7 != 3 {
					next, _ = ir.Share(published, next)
				}
				got, gerr := c.Translate(next)
				want, werr := Translate(cloneIR(t, cur))
				if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
					t.Fatalf("step %d: cache error %v, Translate error %v", step, gerr, werr)
				}
				if werr != nil {
					continue
				}
				if err := sameResources(got, want); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				reused += countReused(published, next)
				published = next
			}
			if reused == 0 {
				t.Fatal("no virtual host was ever shared, so the cache was never exercised")
			}
		})
	}
}

func countReused(prev, next *ir.Xds) int {
	if prev == nil {
		return 0
	}
	n := 0
	for _, l := range next.Listeners {
		for _, pl := range prev.Listeners {
			for _, vh := range l.VirtualHosts {
				if slices.Contains(pl.VirtualHosts, vh) {
					n++
				}
			}
		}
	}
	return n
}

func sameResources(got, want *ResourceSet) error {
	if got.Fleet != want.Fleet {
		return fmt.Errorf("fleet %q, want %q", got.Fleet, want.Fleet)
	}
	for _, p := range []struct {
		name      string
		got, want *Resources
	}{{"envoy", &got.Envoy, &want.Envoy}, {"grpc", &got.GRPC, &want.GRPC}} {
		g, w := p.got.all(), p.want.all()
		if len(g) != len(w) {
			return fmt.Errorf("%s: %d resources, want %d", p.name, len(g), len(w))
		}
		for i := range g {
			if !proto.Equal(g[i], w[i]) {
				return fmt.Errorf("%s: resource %d (%T %q) differs:\n got %v\nwant %v", p.name, i, w[i], nameOf(w[i]), g[i], w[i])
			}
		}
		if len(p.got.Listeners) != len(p.want.Listeners) || len(p.got.Routes) != len(p.want.Routes) ||
			len(p.got.Clusters) != len(p.want.Clusters) || len(p.got.Endpoints) != len(p.want.Endpoints) {
			return fmt.Errorf("%s: resource counts per type differ", p.name)
		}
	}
	return nil
}

func cloneIR(t *testing.T, x *ir.Xds) *ir.Xds {
	t.Helper()
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	out := &ir.Xds{}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func randomIR(rng *rand.Rand) *ir.Xds {
	x := &ir.Xds{Fleet: "fleet"}
	for i := range 6 {
		x.Clusters = append(x.Clusters, randomCluster(rng, fmt.Sprintf("c%d", i)))
	}
	for _, port := range []uint32{80, 81} {
		l := &ir.Listener{Name: fmt.Sprintf("http-%d", port), Address: "0.0.0.0", Port: port, Protocol: ir.ProtocolHTTP}
		for h := range 4 {
			l.VirtualHosts = append(l.VirtualHosts, randomVhost(rng, x, l.Name, h))
		}
		x.Listeners = append(x.Listeners, l)
	}
	return x
}

func randomCluster(rng *rand.Rand, name string) *ir.Cluster {
	c := &ir.Cluster{Name: name}
	dns := rng.IntN(2) == 0
	for i := range 1 + rng.IntN(3) {
		host := fmt.Sprintf("10.0.%d.%d", rng.IntN(4), i+1)
		if dns {
			host = fmt.Sprintf("h%d-%d.example.com", rng.IntN(4), i)
		}
		c.Endpoints = append(c.Endpoints, ir.Endpoint{Host: host, Port: 8080})
	}
	return c
}

func randomVhost(rng *rand.Rand, x *ir.Xds, listener string, h int) *ir.VirtualHost {
	vh := &ir.VirtualHost{Name: fmt.Sprintf("%s/h%d.example.com", listener, h), Hostname: fmt.Sprintf("h%d.example.com", h)}
	for r := range 1 + rng.IntN(3) {
		vh.Routes = append(vh.Routes, randomRoute(rng, x, fmt.Sprintf("%s/r%d", vh.Name, r)))
	}
	return vh
}

func randomRoute(rng *rand.Rand, x *ir.Xds, name string) *ir.Route {
	r := &ir.Route{Name: name, Match: ir.Match{PathType: ir.PathPrefix, Path: fmt.Sprintf("/p%d", rng.IntN(100))}}
	if rng.IntN(5) == 0 {
		r.Match.Method = "GET"
	}
	f := &ir.Forward{}
	for range 1 + rng.IntN(2) {
		f.Backends = append(f.Backends, ir.WeightedCluster{Cluster: x.Clusters[rng.IntN(len(x.Clusters))].Name, Weight: uint32(1 + rng.IntN(10))})
	}
	r.Action.Forward = f
	return r
}

// mutate makes one random change of the kinds a fleet sees: a route, a
// virtual host, a cluster's endpoints, a cluster added or removed (which
// leaves dangling backends, an error, until a later change).
func mutate(rng *rand.Rand, x *ir.Xds) {
	l := x.Listeners[rng.IntN(len(x.Listeners))]
	switch rng.IntN(7) {
	case 0, 1:
		if len(l.VirtualHosts) > 0 {
			vh := l.VirtualHosts[rng.IntN(len(l.VirtualHosts))]
			vh.Routes[rng.IntN(len(vh.Routes))] = randomRoute(rng, x, vh.Routes[0].Name+fmt.Sprint(rng.IntN(3)))
			slices.SortFunc(vh.Routes, func(a, b *ir.Route) int { return compareStrings(a.Name, b.Name) })
			vh.Routes = slices.CompactFunc(vh.Routes, func(a, b *ir.Route) bool { return a.Name == b.Name })
		}
	case 2:
		c := x.Clusters[rng.IntN(len(x.Clusters))]
		*c = *randomCluster(rng, c.Name)
	case 3:
		name := fmt.Sprintf("c%d", rng.IntN(9))
		if !slices.ContainsFunc(x.Clusters, func(c *ir.Cluster) bool { return c.Name == name }) {
			x.Clusters = append(x.Clusters, randomCluster(rng, name))
			slices.SortFunc(x.Clusters, func(a, b *ir.Cluster) int { return compareStrings(a.Name, b.Name) })
		}
	case 4:
		if len(x.Clusters) > 2 {
			i := rng.IntN(len(x.Clusters))
			x.Clusters = slices.Delete(x.Clusters, i, i+1)
		}
	case 5:
		if len(l.VirtualHosts) > 1 {
			i := rng.IntN(len(l.VirtualHosts))
			l.VirtualHosts = slices.Delete(l.VirtualHosts, i, i+1)
		} else {
			l.VirtualHosts = append(l.VirtualHosts, randomVhost(rng, x, l.Name, 4+rng.IntN(3)))
		}
	case 6:
		// Point every dangling backend at an existing cluster again.
		for _, l := range x.Listeners {
			for _, vh := range l.VirtualHosts {
				for _, r := range vh.Routes {
					for i, b := range r.Action.Forward.Backends {
						if !slices.ContainsFunc(x.Clusters, func(c *ir.Cluster) bool { return c.Name == b.Cluster }) {
							r.Action.Forward.Backends[i].Cluster = x.Clusters[0].Name
						}
					}
				}
			}
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// The Cache's check of a listener's virtual hosts passes those it passed
// last time at the same place after the same neighbour, and must still
// find what a full check finds: a duplicate or bad host next to them, in
// random edits of a passing list.
func TestCacheCheckVirtualHostsEqualsFullCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vhost := func(h string) *ir.VirtualHost {
		return &ir.VirtualHost{Name: "http-80/" + h, Hostname: h, Routes: []*ir.Route{{Name: "r"}}}
	}
	var pool []*ir.VirtualHost
	for i := range 20 {
		pool = append(pool, vhost(fmt.Sprintf("h%02d.example.com", i)))
	}
	c := NewCache()
	cur := slices.Clone(pool)
	failures := 0
	for step := range 500 {
		next := slices.Clone(cur)
		i := rng.IntN(len(next))
		switch rng.IntN(4) {
		case 0:
			next[i] = vhost(next[rng.IntN(len(next))].Hostname) // maybe a duplicate
		case 1:
			next[i] = vhost("bad:host")
		case 2:
			next = slices.Insert(next, i, pool[rng.IntN(len(pool))])
		default:
			next[i] = nil
		}
		want := checkVirtualHosts(next, "listeners[0]")
		got := c.checkVirtualHosts("http-80", next, "listeners[0]")
		if (got == nil) != (want == nil) {
			t.Fatalf("step %d: cached check %v, full check %v", step, got, want)
		}
		if want != nil {
			failures++
		}
		// Go on from a passing list, as the translator only ever
		// publishes those.
		if c.checkVirtualHosts("http-80", cur, "listeners[0]") != nil {
			t.Fatal("a passing list fails")
		}
		if want == nil {
			cur = next
		}
	}
	if failures == 0 {
		t.Fatal("no edit made a list the full check refuses")
	}
}
