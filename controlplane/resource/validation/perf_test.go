package validation

import (
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/component-base/metrics/legacyregistry"
)

// celCounts reads how many CEL compilations and evaluations the
// apiextensions code has recorded in its own metrics.
func celCounts(t testing.TB) (compilations, evaluations uint64) {
	t.Helper()
	families, err := legacyregistry.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			switch f.GetName() {
			case "apiserver_cel_compilation_duration_seconds":
				compilations += m.GetHistogram().GetSampleCount()
			case "apiserver_cel_evaluation_duration_seconds":
				evaluations += m.GetHistogram().GetSampleCount()
			}
		}
	}
	return compilations, evaluations
}

// routes returns n distinct, valid HTTPRoutes of a realistic size.
func routes(t testing.TB, n int) []map[string]any {
	t.Helper()
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = mustYAML(t, fmt.Sprintf(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route-%[1]d, namespace: team-%[2]d}
spec:
  parentRefs: [{name: gw, sectionName: https}]
  hostnames: ["app-%[1]d.example.com"]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api/v%[1]d}, headers: [{name: x-tenant, value: t%[1]d}]}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}
    backendRefs: [{name: api-%[1]d, port: 8080, weight: 90}, {name: api-canary-%[1]d, port: 8080, weight: 10}]
    timeouts: {request: 10s}
  - matches: [{path: {type: Exact, value: /health}}]
    backendRefs: [{name: health, port: 8081}]
  - matches: [{path: {type: PathPrefix, value: /old-%[1]d}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, statusCode: 301}
`, i, i%10))
	}
	return out
}

// CEL programs are compiled when a kind is first used, never per object,
// and New compiles none: counted with the apiextensions code's own
// compilation metric.
func TestValidatingDoesNotRecompile(t *testing.T) {
	c0, _ := celCounts(t)
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	c1, e1 := celCounts(t)
	if c1 != c0 {
		t.Errorf("New compiled CEL %d times", c1-c0)
	}
	rs := routes(t, 201)
	if res, err := v.Create(rs[200]); err != nil || len(res.Errors) > 0 {
		t.Fatalf("%v %v", err, res.Errors)
	}
	c1, _ = celCounts(t)
	if c1 <= c0 {
		t.Fatalf("the compilation metric did not move on first use (%d -> %d); it cannot witness anything", c0, c1)
	}
	for _, r := range rs[:200] {
		res, err := v.Create(r)
		if err != nil || len(res.Errors) > 0 {
			t.Fatalf("%v %v", err, res.Errors)
		}
	}
	c2, e2 := celCounts(t)
	if c2 != c1 {
		t.Errorf("validating 200 routes compiled CEL %d more times", c2-c1)
	}
	if e2 <= e1 {
		t.Errorf("no CEL evaluations recorded (%d -> %d): rules did not run", e1, e2)
	}
}

// One Validator serves many goroutines; each gets what it would alone.
func TestConcurrentUse(t *testing.T) {
	v := validator(t)
	docs := []string{
		gateway("  - {name: a, protocol: HTTP, port: 80}\n  - {name: a, protocol: HTTP, port: 81}\n"),
		httpRoute("  - matches: [{path: {type: PathPrefix, value: nope}}]\n"),
		httpRoute("  - backendRefs: [{name: svc, port: 80}]\n"),
		backend(`[{address: "x:99999"}]`),
	}
	want := make([]Result, len(docs))
	for i, d := range docs {
		want[i], _ = v.Create(mustYAML(t, d))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(docs))
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 20 {
				i := (g + round) % len(docs)
				obj, _ := FromYAML([]byte(docs[i]))
				got, _ := v.Create(obj)
				if !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("doc %d: got %v, want %v", i, got.Errors, want[i].Errors)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// BenchmarkValidateHTTPRoute runs the server's create path (copy, prune,
// default, schema, CEL) over 1,000 distinct HTTPRoutes per op.
func BenchmarkValidateHTTPRoute(b *testing.B) {
	v := validator(b)
	rs := routes(b, 1000)
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		for _, r := range rs {
			if res, err := v.Create(r); err != nil || len(res.Errors) > 0 {
				b.Fatalf("%v %v", err, res.Errors)
			}
		}
	}
	reportPerRoute(b, len(rs), cpu0)
}

// BenchmarkNew is the one-off cost of listing the kinds; building them
// comes on first use.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewBuild is New and then building the kinds translate of a
// file of routes meets, or every kind (what New used to do).
func BenchmarkNewBuild(b *testing.B) {
	gw := func(kind string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: kind}
	}
	routeKinds := []schema.GroupVersionKind{gw("GatewayClass"), gw("Gateway"), gw("HTTPRoute"),
		{Group: "envoygateway.dev", Version: "v1alpha1", Kind: "Backend"}}
	for name, kinds := range map[string][]schema.GroupVersionKind{"routes": routeKinds, "all": nil} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				v, err := New()
				if err != nil {
					b.Fatal(err)
				}
				if kinds == nil {
					err = v.BuildAll()
				} else {
					err = v.Build(kinds...)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidateHTTPRouteUpdate runs the server's update path (with
// ratcheting against the stored object) over 1,000 HTTPRoutes per op, each
// replacing a stored route whose first rule and hostname differ, as the
// Config Server's PUT benchmark does.
func BenchmarkValidateHTTPRouteUpdate(b *testing.B) {
	v := validator(b)
	olds, news := routes(b, 1000), routes(b, 1001)[1:]
	for i := range olds {
		res, err := v.Create(olds[i])
		if err != nil || len(res.Errors) > 0 {
			b.Fatalf("%v %v", err, res.Errors)
		}
		olds[i] = res.Object
		meta := news[i]["metadata"].(map[string]any)
		meta["name"], meta["namespace"] = olds[i]["metadata"].(map[string]any)["name"], olds[i]["metadata"].(map[string]any)["namespace"]
		meta["resourceVersion"] = "1"
		olds[i]["metadata"].(map[string]any)["resourceVersion"] = "1"
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		for i := range news {
			if res, err := v.Update(news[i], olds[i]); err != nil || len(res.Errors) > 0 {
				b.Fatalf("%v %v", err, res.Errors)
			}
		}
	}
	reportPerRoute(b, len(news), cpu0)
}

// reportPerRoute reports wall and CPU time per route (or object); the CPU time (the
// whole process's, GC included) means something on a machine that others
// share, where wall time mostly measures them.
func reportPerRoute(b *testing.B, routes int, cpu0 time.Duration) {
	n := float64(b.N * routes)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/route")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/n, "cpu-us/route")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkValidateKinds runs the create path over the gateway-api
// examples (examples/standard) of each kind, reporting CPU per object.
func BenchmarkValidateKinds(b *testing.B) {
	v := validator(b)
	byKind := map[string][]map[string]any{}
	for _, m := range readManifests(b, filepath.Join(gatewayAPIDir(b), "examples", "standard")) {
		u := &unstructured.Unstructured{Object: m.obj}
		if v.Knows(u.GroupVersionKind()) {
			inNamespace(v, m.obj)
			byKind[u.GetKind()] = append(byKind[u.GetKind()], m.obj)
		}
	}
	kinds := slices.Sorted(maps.Keys(byKind))
	for _, kind := range kinds {
		objs := byKind[kind]
		b.Run(kind, func(b *testing.B) {
			// Enough objects per op that the CPU clock's granularity does not show.
			reps := max(1, 200/len(objs))
			cpu0 := cpuTime()
			for b.Loop() {
				for range reps {
					for _, obj := range objs {
						if res, err := v.Create(obj); err != nil || len(res.Errors) > 0 {
							b.Fatalf("%v %v", err, res.Errors)
						}
					}
				}
			}
			reportPerRoute(b, reps*len(objs), cpu0)
		})
	}
}

// BenchmarkValidateService and BenchmarkValidateEndpointSlice run the
// create path over the core objects of the bench's routes-N.yaml (which
// has one Service and one EndpointSlice per six routes), reporting CPU per
// object.
func BenchmarkValidateService(b *testing.B) {
	benchCreate(b, `
apiVersion: v1
kind: Service
metadata: {name: be-%[1]d, namespace: ns-%[1]d}
spec:
  ports: [{name: http, port: 80, targetPort: 0}]
`)
}

func BenchmarkValidateEndpointSlice(b *testing.B) {
	benchCreate(b, `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: be-%[1]d-1
  namespace: ns-%[1]d
  labels: {kubernetes.io/service-name: be-%[1]d}
addressType: IPv4
endpoints: [{addresses: [10.1.0.%[1]d], conditions: {ready: true}}]
ports: [{name: http, port: 8080, protocol: TCP}]
`)
}

// benchCreate validates 200 objects, format filled with 0..199, per op, as
// the decoder does: each freshly decoded, handed over to CreateInPlace.
// steps-converter is the path core kinds took before they had their own:
// one converter decode per step.
func benchCreate(b *testing.B, format string) {
	objs := make([]map[string]any, 200)
	for i := range objs {
		objs[i] = mustYAML(b, fmt.Sprintf(format, i))
	}
	v := validator(b)
	b.Run("create", func(b *testing.B) { benchCreateWith(b, objs, v.CreateInPlace) })
	slow := converterOnly(b)
	b.Run("steps-converter", func(b *testing.B) {
		benchCreateWith(b, objs, func(obj map[string]any) (Result, error) { return createByStepsCopying(slow, obj, false) })
	})
}

func benchCreateWith(b *testing.B, objs []map[string]any, create func(map[string]any) (Result, error)) {
	fresh := make([]map[string]any, len(objs))
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		for i, obj := range objs {
			fresh[i] = runtime.DeepCopyJSON(obj)
		}
		b.StartTimer()
		cpu0 := cpuTime()
		for _, obj := range fresh {
			if res, err := create(obj); err != nil || len(res.Errors) > 0 {
				b.Fatalf("%v %v", err, res.Errors)
			}
		}
		cpu += cpuTime() - cpu0
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*len(objs)), "cpu-us/object")
}
