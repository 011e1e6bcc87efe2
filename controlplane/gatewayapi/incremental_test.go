package gatewayapi

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// TestCacheEqualsTranslate applies random changes, one after the other,
// to every golden input and to a generated workload, and checks after
// each that the Cache's Result equals a from-scratch Translate of the same
// resources, each HTTPRoute of ours that carries no status of ours given
// the last Result's, as if it had been written back (withLastStatus): IR,
// statuses, everything. It also checks that ir.Share, as the Runner
// applies it, keeps the IR equal. The clock moves on by a second at some
// steps, so that statuses stamped with it change.
func TestCacheEqualsTranslate(t *testing.T) {
	inputs := map[string]*resource.Resources{"workload": workload.Generate(200, 3).Resources}
	for _, in := range goldenInputs(t) {
		inputs[in] = loadResources(t, in)
	}
	hits, patches := 0, 0
	for name, res := range inputs {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(name))))
			now := fixedNow()
			opts := Options{Now: func() time.Time { return now }}
			c := &Cache{}
			published := map[string]*ir.Xds{}
			// A Result two translations old, as rendered then: what the
			// Cache recycles must not be anything a Result holds.
			// Sampled: rendering is slow.
			var old, last *Result
			var oldYAML []byte
			cur := res
			for step := range 30 {
				if step > 0 {
					cur = change(rng, cur)
					if rng.IntN(2) == 0 {
						cur = writeBack(rng, cur, last)
					}
				}
				if rng.IntN(4) == 0 {
					now = now.Add(time.Second)
				}
				got := c.Translate(cur, opts)
				want := Translate(withLastStatus(cur, Translate(cur, opts), last), opts)
				last = got
				if step%7 == 2 && old != nil {
					if y := render(t, old); string(y) != string(oldYAML) {
						t.Fatalf("step %d: the Result of step %d changed:\n%s", step, step-2, lineDiff(oldYAML, y))
					}
				}
				if step%7 == 0 {
					old, oldYAML = got, render(t, got)
				}
				if !reflect.DeepEqual(got, want) {
					if dir := os.Getenv("INCREMENTAL_DIFF_DIR"); dir != "" {
						_ = os.WriteFile(filepath.Join(dir, "want.yaml"), render(t, want), 0o644)
						_ = os.WriteFile(filepath.Join(dir, "got.yaml"), render(t, got), 0o644)
					}
					t.Fatalf("step %d: cached translation differs:\n%s", step, lineDiff(render(t, want), render(t, got)))
				}
				for fleet, x := range got.IR {
					shared, _ := ir.Share(published[fleet], x)
					if !reflect.DeepEqual(shared, want.IR[fleet]) {
						t.Fatalf("step %d: ir.Share changed fleet %s's IR", step, fleet)
					}
					published[fleet] = shared
				}
			}
			hits += c.hits
			patches += c.patches
		})
	}
	if hits == 0 {
		t.Fatal("no route compilation was ever reused, so the cache was never exercised")
	}
	if patches == 0 {
		t.Fatal("no translation patched the last one's routes, so patching was never exercised")
	}
}

// change returns res with one random change, copied on write as a config
// source does: the changed object is new, the others are shared.
func change(rng *rand.Rand, res *resource.Resources) *resource.Resources {
	out := *res
	routes := res.HTTPRoutes
	switch k := rng.IntN(10); {
	case k < 6 && len(routes) > 0:
		out.HTTPRoutes = append([]*gwapiv1.HTTPRoute(nil), routes...)
		i := rng.IntN(len(routes))
		out.HTTPRoutes[i] = editRoute(rng, routes[i], routes)
	case k < 7 && len(routes) > 1:
		i := rng.IntN(len(routes))
		out.HTTPRoutes = append(append([]*gwapiv1.HTTPRoute(nil), routes[:i]...), routes[i+1:]...)
	case k < 8 && len(routes) > 0:
		r := routes[rng.IntN(len(routes))].DeepCopy()
		r.Name = fmt.Sprintf("%s-copy-%d", r.Name, rng.IntN(1000))
		out.HTTPRoutes = append(append([]*gwapiv1.HTTPRoute(nil), routes...), r)
	case k < 9 && len(res.Backends) > 0:
		out.Backends = append([]*resource.Backend(nil), res.Backends...)
		i := rng.IntN(len(out.Backends))
		b := out.Backends[i].DeepCopy()
		b.Spec.Endpoints = append(b.Spec.Endpoints, resource.BackendEndpoint{Address: fmt.Sprintf("10.9.9.%d:80", 1+rng.IntN(200))})
		out.Backends[i] = b
	default:
		// The same Gateway as a new object: nothing changes but identity.
		if len(res.Gateways) > 0 {
			out.Gateways = append([]*gwapiv1.Gateway(nil), res.Gateways...)
			i := rng.IntN(len(out.Gateways))
			out.Gateways[i] = out.Gateways[i].DeepCopy()
		}
	}
	return &out
}

// editRoute changes a path, a backendRef or the parents of a copy of r.
func editRoute(rng *rand.Rand, r *gwapiv1.HTTPRoute, all []*gwapiv1.HTTPRoute) *gwapiv1.HTTPRoute {
	r = r.DeepCopy()
	if len(r.Spec.Rules) == 0 {
		r.Spec.Hostnames = append(r.Spec.Hostnames, "added.example.com")
		return r
	}
	rule := &r.Spec.Rules[rng.IntN(len(r.Spec.Rules))]
	switch rng.IntN(4) {
	case 0:
		if len(rule.Matches) > 0 && rule.Matches[0].Path != nil {
			rule.Matches[0].Path.Value = new(fmt.Sprintf("/changed/%d", rng.IntN(1000)))
			return r
		}
		fallthrough
	case 1:
		if len(rule.BackendRefs) > 0 {
			// Another route's backend, or one that does not exist.
			other := all[rng.IntN(len(all))]
			ref := &rule.BackendRefs[0]
			if len(other.Spec.Rules) > 0 && len(other.Spec.Rules[0].BackendRefs) > 0 && rng.IntN(3) > 0 {
				ref.BackendRef = other.Spec.Rules[0].BackendRefs[0].BackendRef
			} else {
				ref.Name = "missing"
			}
			return r
		}
		fallthrough
	case 2:
		r.Spec.Hostnames = []gwapiv1.Hostname{gwapiv1.Hostname(fmt.Sprintf("h%d.example.com", rng.IntN(5)))}
	default:
		if len(r.Spec.ParentRefs) > 0 && rng.IntN(2) == 0 {
			r.Spec.ParentRefs[0].Name = "no-such-gateway"
		} else {
			r.Spec.Rules = append(r.Spec.Rules, *rule.DeepCopy())
		}
	}
	return r
}
