package server

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/bolt"
)

// Publishes are spaced under a stream of writes; whatever the spacing
// swallows must still be published once the stream stops, and every
// object must end up as last written, status-only writes included.
func TestPublisherPublishesTheEndOfABurst(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "store.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := message.NewMap[string, *resource.Resources]("resources")
	p := newPublisher(st, out, e2eLogger())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.run(ctx) }()
	defer func() { cancel(); <-done }()

	const writers, rounds = 8, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				route := &gwapiv1.HTTPRoute{}
				route.APIVersion, route.Kind = "gateway.networking.k8s.io/v1", "HTTPRoute"
				route.Name, route.Namespace, route.Generation = fmt.Sprintf("r%d", w), "ns", int64(i+1)
				route.Spec.Hostnames = []gwapiv1.Hostname{gwapiv1.Hostname(fmt.Sprintf("h%d.example.com", i))}
				route.Status.Parents = []gwapiv1.RouteParentStatus{{ParentRef: gwapiv1.ParentReference{Name: "gw"}, ControllerName: "x/y"}}
				key := store.Key{Group: resource.GroupGatewayAPI, Kind: resource.KindHTTPRoute, Namespace: "ns", Name: route.Name}
				if _, err := st.Put(ctx, key, storedJSON(t, route), store.AnyRevision); err != nil {
					t.Error(err)
					return
				}
				// A status-only write, as the status writer makes.
				route.Status.Parents[0].ControllerName = gwapiv1.GatewayController(fmt.Sprintf("x/%d", i))
				if _, err := st.Put(ctx, key, storedJSON(t, route), store.AnyRevision); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	last := fmt.Sprintf("h%d.example.com", rounds-1)
	lastCtl := gwapiv1.GatewayController(fmt.Sprintf("x/%d", rounds-1))
	deadline := time.After(hang)
	for {
		published, cached := 0, 0
		if r := out.Load()[SourceName]; r != nil {
			for _, h := range r.HTTPRoutes {
				if len(h.Spec.Hostnames) == 1 && string(h.Spec.Hostnames[0]) == last {
					published++
				}
			}
		}
		// The cache, which dry-runs read, has the last status of each.
		for _, h := range p.snapshot().HTTPRoutes {
			if string(h.Spec.Hostnames[0]) == last && h.Status.Parents[0].ControllerName == lastCtl {
				cached++
			}
		}
		if published == writers && cached == writers {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("%d of %d routes published as last written, %d cached with the last status", published, writers, cached)
		case <-time.After(time.Millisecond):
		}
	}
}

// The gap between publishes follows the time translations take, within
// bounds; a translation that follows no publish of ours changes nothing.
func TestPublishGapFollowsTranslations(t *testing.T) {
	p := newPublisher(nil, nil, e2eLogger())
	if g := p.publishGap(); g != minPublishGap {
		t.Fatalf("initial gap %v, want %v", g, minPublishGap)
	}
	t0 := time.Unix(1000, 0)
	for _, c := range []struct {
		took, want time.Duration
	}{
		{1 * time.Millisecond, minPublishGap},
		{5 * time.Millisecond, gapPerTranslation * 5 * time.Millisecond},
		{time.Second, maxPublishGap},
	} {
		p.pending.Store(t0.UnixNano())
		p.translated(t0.Add(c.took))
		if g := p.publishGap(); g != c.want {
			t.Errorf("translation of %v: gap %v, want %v", c.took, g, c.want)
		}
	}
	p.translated(t0.Add(time.Hour))
	if g := p.publishGap(); g != maxPublishGap {
		t.Errorf("a translation after no publish moved the gap to %v", g)
	}
}
