package gatewayapi

import (
	"testing"
	"time"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
)

// TestCacheReusesRouteOutputs: with the same clock second, a route whose
// input and status are unchanged comes out as the very object of the
// last translation; the changed route comes out new.
func TestCacheReusesRouteOutputs(t *testing.T) {
	res := workload.Generate(50, 1).Resources
	opts := Options{Now: fixedNow}
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
