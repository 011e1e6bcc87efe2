package bench

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
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
	// Changes has every change's own figures, in order, so that a slow
	// one can be told apart (the first after the initial sync, say).
	Changes []FanoutChange `json:"changes"`
	// WarmUpMs is the pause between the initial sync and the first change
	// (warmFleetMemory).
	WarmUpMs float64 `json:"warmUpMs"`
	// Control plane process memory with every stream open, after the
	// changes; peak is the high-water mark of its resident set.
	ControlPlaneRSSMiB     float64 `json:"controlPlaneRssMiB,omitempty"`
	ControlPlanePeakRSSMiB float64 `json:"controlPlanePeakRssMiB,omitempty"`
	ControlPlaneHeapMiB    float64 `json:"controlPlaneHeapMiB,omitempty"`
	// Separate says the control plane ran in its own process, so the
	// memory figures do not include the proxies' side.
	Separate bool `json:"separateProcess"`
}

// FanoutChange is one change, its times from the change being sent.
// workload.Change picks the route; most are on the shared port-80
// Gateway, whose route configuration is megabytes, the rest on a team
// Gateway's small one, which reach every proxy several times sooner.
type FanoutChange struct {
	// FirstAckMs, HalfAckedMs and AllAckedMs are when the first proxy,
	// half of them and the last ACKed the new route configuration.
	FirstAckMs  float64 `json:"firstAckMs"`
	HalfAckedMs float64 `json:"halfAckedMs"`
	AllAckedMs  float64 `json:"allAckedMs"`
	// SetMs is when the control plane had set the snapshot, as it says
	// (when it runs in its own process).
	SetMs float64 `json:"setMs,omitempty"`
}

// fanoutTimeout only stops a hang.
const fanoutTimeout = 5 * time.Minute

// Fanout opens streams ADS streams to addr, waits for them to sync, then
// for each of changes calls change(k) and waits until every stream has
// ACKed a new route configuration; after(k), if not nil, then returns
// when the control plane set change k's snapshot, in ms from change(k).
func Fanout(addr string, streams, changes int, change func(k int) error, after func(k int) (float64, error)) (*FanoutResult, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := newTracker(streams)
	out := &FanoutResult{Streams: streams}
	synced := tr.expectEach(func(_ int, a map[string]string) bool {
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
	names := newNamesCache()
	proxies, err := dialProxies(ctx, addr, streams, tr, names, func(p *proxy) { wg.Go(p.run) })
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
	ats, err := synced(fanoutTimeout)
	if err != nil {
		return nil, fmt.Errorf("initial sync: %w", err)
	}
	out.InitialSyncMs = ms(ats[len(ats)-1].Sub(t0))
	t1 := time.Now()
	defer warmFleetMemory(int64(streams) * names.largest.Load() / 2)()
	out.WarmUpMs = ms(time.Since(t1))
	lat := make([]time.Duration, 0, changes)
	for k := range changes {
		base := tr.rdsVersions()
		wait := tr.expectEach(func(id int, a map[string]string) bool { return a[rsrc.RouteType] != base[id] })
		t0 := time.Now()
		if err := change(k); err != nil {
			return nil, fmt.Errorf("change %d: %w", k, err)
		}
		ats, err := wait(fanoutTimeout)
		if err != nil {
			return nil, fmt.Errorf("change %d: %w", k, err)
		}
		c := FanoutChange{FirstAckMs: ms(ats[0].Sub(t0)), HalfAckedMs: ms(ats[len(ats)/2].Sub(t0)), AllAckedMs: ms(ats[len(ats)-1].Sub(t0))}
		if after != nil {
			if c.SetMs, err = after(k); err != nil {
				return nil, fmt.Errorf("change %d: %w", k, err)
			}
		}
		out.Changes = append(out.Changes, c)
		lat = append(lat, ats[len(ats)-1].Sub(t0))
	}
	out.AllAcked = summarize(lat)
	return out, nil
}

func dialProxies(ctx context.Context, addr string, n int, tr *tracker, names *namesCache, start func(*proxy)) ([]*proxy, error) {
	proxies := make([]*proxy, 0, n)
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

// warmFleetMemory readies the simulated fleet's process, until the
// returned restore is called, for a change that every proxy receives at
// once: each holds its response's bytes as they arrive, so a thousand
// proxies of 1.5 MB route configurations hold about bytes (half of all
// their responses) midway. Here that memory is touched once and kept, and
// the garbage collector waits for it to be used up, so that no change
// pays for it. Measured (10k routes, 1,000 streams, 2 cores): the first
// change after the initial sync faulted in about a gigabyte, 240k page
// faults, and its last ACK came 2.4-5.7 s after it; later changes to the
// same route configuration took 0.6-1 s. A fleet of real proxies has its
// memory already, one host each; it is the simulation's cost, not the
// control plane's.
func warmFleetMemory(bytes int64) (restore func()) {
	gc := debug.SetGCPercent(-1)
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	limit := debug.SetMemoryLimit(int64(m.HeapInuse) + 2*bytes + 256<<20)
	b := make([]byte, bytes)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	runtime.KeepAlive(b)
	b = nil
	// Freed, its pages stay with the heap: with the collector off, the
	// scavenger returns memory only near the limit.
	runtime.GC()
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
		debug.FreeOSMemory()
	}
}
