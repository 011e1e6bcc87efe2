package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The benchmarks PUT a typical HTTPRoute through the real HTTP API, with
// authentication, validation (schema + CEL), a durable bbolt write (fsync
// before the answer), the publisher and the real translator and status
// writer running alongside, as in production. Every PUT changes the spec,
// so every one is a real write. They report durable writes/s and latency
// percentiles; nothing asserts on them.
//
//	go test ./controlplane/source/server -run '^$' -bench PutHTTPRoute -benchtime 3000x

func BenchmarkPutHTTPRouteSequential(b *testing.B) { benchPut(b, 1) }

func BenchmarkPutHTTPRouteConcurrent16(b *testing.B) { benchPut(b, 16) }

// benchRoutesPerClient is how many distinct routes each client cycles
// through, so the store and the translator hold a realistic few hundred.
const benchRoutesPerClient = 20

func benchRoute(client, i int) (path, body string) {
	name := fmt.Sprintf("route-%d-%d", client, i%benchRoutesPerClient)
	body = fmt.Sprintf(`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
"metadata":{"name":%q,"namespace":"team-%d","labels":{"app":%q}},
"spec":{"parentRefs":[{"name":"gw","namespace":"default"}],"hostnames":["app-%d.example.com"],
"rules":[
 {"matches":[{"path":{"type":"PathPrefix","value":"/api/v%d"},"headers":[{"name":"x-tenant","value":"t%d"}]}],
  "filters":[{"type":"URLRewrite","urlRewrite":{"path":{"type":"ReplacePrefixMatch","replacePrefixMatch":"/"}}}],
  "backendRefs":[{"name":"api","port":8080,"weight":90},{"name":"api-canary","port":8080,"weight":10}],
  "timeouts":{"request":"10s"}},
 {"matches":[{"path":{"type":"Exact","value":"/health"}}],"backendRefs":[{"name":"health","port":8081}]},
 {"matches":[{"path":{"type":"PathPrefix","value":"/old"}}],
  "filters":[{"type":"RequestRedirect","requestRedirect":{"scheme":"https","statusCode":301}}]}]}}`,
		name, client%4, name, client, i, i)
	return gwv1 + fmt.Sprintf("/namespaces/team-%d/httproutes/%s", client%4, name), body
}

func benchPut(b *testing.B, clients int) {
	e := startEnv(b, envOptions{translator: true, uncheckedStatus: true})
	setup := e.do("POST", "/apply", classYAML+"---\n"+strings.Replace(gatewayYAML, "{name: http, protocol: HTTP, port: 8080}",
		"{name: http, protocol: HTTP, port: 8080, allowedRoutes: {namespaces: {from: All}}}", 1))
	if setup.code != http.StatusOK {
		b.Fatalf("setup: %d %s", setup.code, setup.raw)
	}
	client := &http.Client{Timeout: hang, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	token := "Bearer " + e.srv.Token()
	put := func(c, i int) (time.Duration, error) {
		path, body := benchRoute(c, i)
		req, _ := http.NewRequest("PUT", e.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", token)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
			return 0, fmt.Errorf("PUT %s: %d", path, res.StatusCode)
		}
		return time.Since(start), nil
	}

	lat := make([][]time.Duration, clients)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu0 := cpuTime()
	commits0 := e.st.Commits()
	seq := lastSeq(b, e)
	seq0 := seq.Load()
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > b.N {
					return
				}
				d, err := put(c, i)
				if err != nil {
					failed.Store(&err)
					return
				}
				lat[c] = append(lat[c], d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	commits := e.st.Commits() - commits0
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "writes/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	// CPU per write (the whole process: HTTP, validation, store,
	// publisher, translator, status writes, GC) says what a write costs
	// whatever else the machine is doing; 2 cores / cpu-ms is the ceiling.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(all)), "cpu-ms/write")
	// Client writes per fsynced transaction (status writes share them),
	// and translations per client write: how well bursts are coalesced.
	b.ReportMetric(float64(len(all))/float64(max(commits, 1)), "writes/commit")
	b.ReportMetric(float64(seq.Load()-seq0)/float64(len(all)), "translations/write")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// lastSeq follows the status topic's publish count, which is the number of
// translations the Runner has made.
func lastSeq(b *testing.B, e *env) *atomic.Uint64 {
	var seq atomic.Uint64
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	updates := e.status.Subscribe(ctx)
	go func() {
		for u := range updates {
			seq.Store(u.Seq)
		}
	}()
	return &seq
}
