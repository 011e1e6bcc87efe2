package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	rsrc "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
)

// FanoutResult is how long a one-route change takes to reach many proxies:
// from the change entering the control plane until every stream has ACKed
// the new route configuration.
type FanoutResult struct {
	Routes  int `json:"routes"`
	Streams int `json:"streams"`
	// InitialSyncMs is from opening the streams until every proxy has
	// ACKed clusters, endpoints, listeners and routes.
	InitialSyncMs float64 `json:"initialSyncMs"`
	// AllAcked has one sample per change: the time until the last proxy
	// ACKed it. With few changes p99 is the maximum.
	AllAcked Latency `json:"allAcked"`
	// Control plane process memory with every stream open, after the
	// changes; peak is the high-water mark of its resident set.
	ControlPlaneRSSMiB     float64 `json:"controlPlaneRssMiB,omitempty"`
	ControlPlanePeakRSSMiB float64 `json:"controlPlanePeakRssMiB,omitempty"`
	ControlPlaneHeapMiB    float64 `json:"controlPlaneHeapMiB,omitempty"`
	// Separate says the control plane ran in its own process, so the
	// memory figures do not include the proxies' side.
	Separate bool `json:"separateProcess"`
}

// fanoutTimeout only stops a hang.
const fanoutTimeout = 5 * time.Minute

// Fanout opens streams ADS streams to addr, waits for them to sync, then
// for each of changes calls change(k) and waits until every stream has
// ACKed a new route configuration.
func Fanout(addr string, streams, changes int, change func(k int) error) (*FanoutResult, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := newTracker(streams)
	out := &FanoutResult{Streams: streams}
	synced := tr.expect(func(_ int, a map[string]string) bool {
		for _, t := range xdsTypes {
			if a[t] == "" {
				return false
			}
		}
		return true
	})
	t0 := time.Now()
	var wg sync.WaitGroup
	// Each proxy reads from the moment it is dialled, as Envoy does. Left
	// unread until all were dialled, the first streams buffered their
	// whole initial configuration (megabytes each, with Envoy's windows)
	// in this process while the rest connected.
	proxies, err := dialProxies(ctx, addr, streams, tr, func(p *proxy) { wg.Go(p.run) })
	defer func() {
		cancel()
		for _, p := range proxies {
			p.close()
		}
		wg.Wait()
	}()
	if err != nil {
		return nil, err
	}
	at, err := synced(fanoutTimeout)
	if err != nil {
		return nil, fmt.Errorf("initial sync: %w", err)
	}
	out.InitialSyncMs = ms(at.Sub(t0))
	lat := make([]time.Duration, 0, changes)
	for k := range changes {
		base := tr.rdsVersions()
		wait := tr.expect(func(id int, a map[string]string) bool { return a[rsrc.RouteType] != base[id] })
		t0 := time.Now()
		if err := change(k); err != nil {
			return nil, fmt.Errorf("change %d: %w", k, err)
		}
		at, err := wait(fanoutTimeout)
		if err != nil {
			return nil, fmt.Errorf("change %d: %w", k, err)
		}
		lat = append(lat, at.Sub(t0))
	}
	out.AllAcked = summarize(lat)
	return out, nil
}

func dialProxies(ctx context.Context, addr string, n int, tr *tracker, start func(*proxy)) ([]*proxy, error) {
	proxies := make([]*proxy, 0, n)
	names := newNamesCache()
	for i := range n {
		p, err := dialProxy(ctx, addr, i, tr, names)
		if err != nil {
			return proxies, err
		}
		start(p)
		proxies = append(proxies, p)
	}
	return proxies, nil
}
