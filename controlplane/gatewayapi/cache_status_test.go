package gatewayapi

import (
	"slices"
	"testing"
	"time"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// TestCacheReusesRouteOutputs: in the same clock second or a later one, a
// route whose input and status are unchanged comes out as the very object
// of the last translation (its conditions keep their lastTransitionTime,
// nothing having been written back); the changed route comes out new.
func TestCacheReusesRouteOutputs(t *testing.T) {
	for _, later := range []time.Duration{0, time.Second} {
		t.Run(later.String(), func(t *testing.T) { testCacheReusesRouteOutputs(t, later) })
	}
}

func testCacheReusesRouteOutputs(t *testing.T, later time.Duration) {
	res := workload.Generate(50, 1).Resources
	now := fixedNow()
	opts := Options{Now: func() time.Time { return now }}
	c := &Cache{}
	first := byKey(c.Translate(res, opts).HTTPRoutes)
	if len(first) == 0 {
		t.Fatal("the workload has no HTTPRoute of ours")
	}
	next := workload.Change(res, 0)
	changed := map[nsName]bool{}
	for i, r := range next.HTTPRoutes {
		if r != res.HTTPRoutes[i] {
			changed[keyOf(r)] = true
		}
	}
	if len(changed) != 1 {
		t.Fatalf("workload.Change changed %d routes, want 1", len(changed))
	}
	now = now.Add(later)
	second := byKey(c.Translate(next, opts).HTTPRoutes)
	for k, r := range second {
		if same := first[k] == r; same == changed[k] {
			t.Errorf("route %s: reused %v, changed %v", k, same, changed[k])
		}
	}
}

// TestTranslateStampsWholeSeconds: lastTransitionTime is the clock
// truncated to the second, as a written status keeps it.
func TestTranslateStampsWholeSeconds(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	out := Translate(workload.Generate(5, 1).Resources, Options{Now: func() time.Time { return at }})
	n := 0
	for _, r := range out.HTTPRoutes {
		for _, p := range r.Status.Parents {
			for _, c := range p.Conditions {
				n++
				if !c.LastTransitionTime.Time.Equal(at.Truncate(time.Second)) {
					t.Errorf("%s: %s lastTransitionTime %v, want %v", keyOf(r), c.Type, c.LastTransitionTime.Time, at.Truncate(time.Second))
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no route condition was stamped")
	}
}

func byKey(rs []*gwapiv1.HTTPRoute) map[nsName]*gwapiv1.HTTPRoute {
	out := map[nsName]*gwapiv1.HTTPRoute{}
	for _, r := range rs {
		out[keyOf(r)] = r
	}
	return out
}

// withLastStatus returns res with each HTTPRoute that plain, res's
// translation, writes status for and that carries none of ours given our
// status parents of the route of last with its key, uid and generation.
func withLastStatus(res *resource.Resources, plain, last *Result) *resource.Resources {
	if last == nil {
		return res
	}
	ctrl := resource.DefaultControllerName
	ours := func(r *gwapiv1.HTTPRoute) bool {
		return slices.ContainsFunc(r.Status.Parents, func(p gwapiv1.RouteParentStatus) bool { return p.ControllerName == ctrl })
	}
	written, prev := map[nsName]bool{}, map[nsName]*gwapiv1.HTTPRoute{}
	for _, r := range plain.HTTPRoutes {
		written[keyOf(r)] = true
	}
	for _, r := range last.HTTPRoutes {
		prev[keyOf(r)] = r
	}
	out := *res
	out.HTTPRoutes = slices.Clone(res.HTTPRoutes)
	for i, r := range out.HTTPRoutes {
		p := prev[keyOf(r)]
		if !written[keyOf(r)] || p == nil || p.UID != r.UID || p.Generation != r.Generation || ours(r) {
			continue
		}
		cp := *r
		cp.Status.Parents = slices.Clone(r.Status.Parents)
		for _, ps := range p.Status.Parents {
			if ps.ControllerName == ctrl {
				cp.Status.Parents = append(cp.Status.Parents, ps)
			}
		}
		out.HTTPRoutes[i] = &cp
	}
	return &out
}
