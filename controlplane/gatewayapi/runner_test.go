package gatewayapi

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// hang bounds every wait so that a broken runner fails instead of hanging.
const hang = 10 * time.Second

type runnerHarness struct {
	t      *testing.T
	res    *message.Map[string, *resource.Resources]
	xds    *message.Map[string, *ir.Xds]
	status *message.Topic[*Result]
	xdsSub <-chan message.MapUpdate[string, *ir.Xds]
	stSub  <-chan message.Update[*Result]
	done   chan error
	cancel context.CancelFunc
}

func startRunner(t *testing.T) *runnerHarness {
	ctx, cancel := context.WithCancel(context.Background())
	h := &runnerHarness{
		t:      t,
		res:    message.NewMap[string, *resource.Resources]("resources"),
		xds:    message.NewMap[string, *ir.Xds]("xds-ir"),
		status: message.NewTopic[*Result]("status"),
		done:   make(chan error, 1),
		cancel: cancel,
	}
	h.xdsSub = h.xds.Subscribe(ctx)
	h.stSub = h.status.Subscribe(ctx)
	r := &Runner{Resources: h.res, XdsIR: h.xds, Status: h.status, Options: Options{Now: fixedNow}}
	go func() { h.done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(hang):
			t.Error("Run did not return after cancel")
		}
	})
	return h
}

// nextStatus waits for a translation to finish. The runner stores IR before
// publishing status, so afterwards every IR change of that translation has
// been delivered.
func (h *runnerHarness) nextStatus() *Result {
	h.t.Helper()
	select {
	case u := <-h.stSub:
		return u.Value
	case <-time.After(hang):
		h.t.Fatal("no status published")
	}
	return nil
}

// changedFleets returns the fleets stored or deleted since the last call.
func (h *runnerHarness) changedFleets() []string {
	select {
	case u := <-h.xdsSub:
		return slices.Sorted(maps.Keys(u.Changed))
	default:
		return nil
	}
}

func TestRunnerStoresOnlyChangedFleets(t *testing.T) {
	h := startRunner(t)
	base := loadResources(t, "testdata/gateway-multiple-classes.in.yaml")

	h.res.Store("file", base)
	h.nextStatus()
	if got := h.changedFleets(); !slices.Equal(got, []string{"eg", "eg-internal"}) {
		t.Fatalf("first translation stored %v, want both fleets", got)
	}

	// The same objects again, decoded afresh: nothing to re-render.
	h.res.Store("file", loadResources(t, "testdata/gateway-multiple-classes.in.yaml"))
	h.nextStatus()
	if got := h.changedFleets(); got != nil {
		t.Fatalf("unchanged input re-stored %v", got)
	}

	// A route of the internal fleet changes: only that fleet is stored.
	changed := copyResources(base)
	for _, r := range changed.HTTPRoutes {
		if r.Name == "internal" {
			r.Spec.Hostnames = []gwapiv1.Hostname{"internal.example.com"}
		}
	}
	h.res.Store("file", changed)
	h.nextStatus()
	if got := h.changedFleets(); !slices.Equal(got, []string{"eg-internal"}) {
		t.Fatalf("stored %v, want only eg-internal", got)
	}
	if vh := h.xds.Load()["eg-internal"].Listeners[0].VirtualHosts[0]; vh.Hostname != "internal.example.com" {
		t.Errorf("eg-internal virtual host %q, want internal.example.com", vh.Hostname)
	}

	// The class goes away: its fleet is deleted, the other one untouched.
	changed.GatewayClasses = slices.DeleteFunc(changed.GatewayClasses, func(c *gwapiv1.GatewayClass) bool { return c.Name == "eg-internal" })
	h.res.Store("file", changed)
	h.nextStatus()
	if got := h.changedFleets(); !slices.Equal(got, []string{"eg-internal"}) {
		t.Fatalf("changed %v, want eg-internal deleted", got)
	}
	if _, ok := h.xds.Load()["eg-internal"]; ok {
		t.Error("eg-internal still published after its class was removed")
	}
}

func TestRunnerMergesSources(t *testing.T) {
	h := startRunner(t)
	all := loadResources(t, "testdata/gateway-basic-http.in.yaml")
	infra := &resource.Resources{GatewayClasses: all.GatewayClasses, Gateways: all.Gateways}
	apps := &resource.Resources{HTTPRoutes: all.HTTPRoutes, Services: all.Services, EndpointSlices: all.EndpointSlices}

	h.res.Store("infra", infra)
	if st := h.nextStatus(); len(st.HTTPRoutes) != 0 {
		t.Fatalf("routes before the apps source arrived: %d", len(st.HTTPRoutes))
	}
	h.res.Store("apps", apps)
	st := h.nextStatus()
	if len(st.HTTPRoutes) != 1 || st.Gateways[0].Status.Listeners[0].AttachedRoutes != 1 {
		t.Fatalf("merged translation: %d routes, want the apps route attached to the infra Gateway", len(st.HTTPRoutes))
	}
	want := Translate(all, Options{Now: fixedNow}).IR["eg"]
	if got := h.xds.Load()["eg"]; !reflect.DeepEqual(got, want) {
		t.Errorf("IR from two sources differs from the IR of their union")
	}

	// A source that disappears takes its objects with it.
	h.res.Delete("apps")
	if st := h.nextStatus(); len(st.HTTPRoutes) != 0 {
		t.Errorf("routes remain after their source was deleted")
	}
}
