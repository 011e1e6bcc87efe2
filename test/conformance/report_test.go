package conformance_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/gateway-api/pkg/features"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
)

var reportPath = flag.String("report", "", "write the ConformanceReport YAML to this file (and REPORT.md beside it)")

// how says how much of an upstream test the harness ran: the report counts
// both as run, and REPORT.md tells them apart, since a status-only run says
// nothing of the traffic the upstream test would send.
type how string

const (
	ranWhole  how = "whole test, unchanged"
	ranStatus how = "status assertions"
	// ranXDS: whole, with the requests answered by the translated xDS
	// (traffic_test.go).
	ranXDS how = "whole test, traffic evaluated on xDS"
)

type outcome struct {
	how    how
	passed bool
}

// harnessResults collects, per upstream ShortName, what the harness ran.
// A test run in several steps passes only if every step passed.
var harnessResults = struct {
	sync.Mutex
	m map[string]outcome
}{m: map[string]outcome{}}

// record marks t as (part of) the upstream test shortName; its outcome is
// taken when t ends, so a failure anywhere below t counts.
func record(t *testing.T, shortName string, h how) {
	t.Helper()
	upstream(t, shortName) // an unknown name is a harness bug
	t.Cleanup(func() {
		harnessResults.Lock()
		defer harnessResults.Unlock()
		prev, seen := harnessResults.m[shortName]
		o := outcome{how: h, passed: !t.Failed()}
		if seen {
			o.passed = o.passed && prev.passed
			if prev.how == ranStatus {
				o.how = ranStatus
			}
		}
		harnessResults.m[shortName] = o
	})
}

func snapshotResults() map[string]outcome {
	harnessResults.Lock()
	defer harnessResults.Unlock()
	out := make(map[string]outcome, len(harnessResults.m))
	for k, v := range harnessResults.m {
		out[k] = v
	}
	return out
}

// harness is every part of the conformance harness; TestConformance runs
// them in order and only then knows the whole result.
var harness = []struct {
	name string
	run  func(*testing.T)
}{
	{"UpstreamStatusOnly", upstreamStatusOnly},
	{"UpstreamTrafficOnXDS", upstreamTrafficOnXDS},
	{"GatewayWithAttachedRoutes", gatewayWithAttachedRoutes},
	{"HTTPRouteDisallowedKind", httpRouteDisallowedKind},
	{"UpstreamTLSStatusOnly", upstreamTLSStatusOnly},
	{"UpstreamGRPCOnXDS", upstreamGRPCOnXDS},
	{"UpstreamL4StatusOnly", upstreamL4StatusOnly},
	{"TLSRouteMixedTerminationSameNamespace", tlsMixedTermination},
	{"UpstreamBackendTLSPolicy", upstreamBackendTLSPolicy},
}

// TestConformance runs the harness, then checks that the features the
// GatewayClass declares are exactly those its passing tests exercised, and
// with -report writes the ConformanceReport.
func TestConformance(t *testing.T) {
	for _, h := range harness {
		t.Run(h.name, h.run)
	}
	if t.Failed() {
		return
	}
	if !fullRun() {
		t.Skip("-run or -skip selects part of the harness; the feature check and the report need all of it")
	}
	results := snapshotResults()
	t.Run("SupportedFeaturesAreExercised", func(t *testing.T) {
		declared := sets.New[features.FeatureName]()
		for _, f := range gatewayapi.SupportedFeatures {
			declared.Insert(features.FeatureName(f.Name))
		}
		exercised := exercisedFeatures(results)
		for f, golden := range noUpstreamTest {
			if tests := testsWithFeature(f); len(tests) > 0 {
				t.Errorf("%s is now exercised by upstream %v: run those instead of the exception", f, tests)
			}
			if _, err := os.Stat(golden); err != nil {
				t.Errorf("%s: its golden case: %v", f, err)
			}
			exercised.Insert(f)
		}
		if missing := declared.Difference(exercised); missing.Len() > 0 {
			t.Errorf("declared in SupportedFeatures but exercised by no passing harness test: %v", sets.List(missing))
		}
		if extra := exercised.Difference(declared); extra.Len() > 0 {
			t.Errorf("exercised by passing harness tests but not declared in SupportedFeatures: %v", sets.List(extra))
		}
	})
	if *reportPath != "" {
		writeReport(t, results)
	}
}

// noUpstreamTest are declared features no upstream conformance test names
// (v1.6.3), each with the golden case that covers it instead.
var noUpstreamTest = map[features.FeatureName]string{
	features.SupportHTTPRouteRetryBackendTimeout:  "../../controlplane/xds/translator/testdata/retries.out.yaml",
	features.SupportHTTPRouteRetryConnectionError: "../../controlplane/xds/translator/testdata/retries.out.yaml",
}

func testsWithFeature(f features.FeatureName) []string {
	var out []string
	for _, ct := range sortedTests() {
		if slices.Contains(ct.Features, f) {
			out = append(out, ct.ShortName)
		}
	}
	return out
}

// fullRun says whether every subtest runs: TestConformance is running, so
// a -run pattern without a subtest part selects all of it.
func fullRun() bool {
	run := flag.Lookup("test.run").Value.String()
	skip := flag.Lookup("test.skip").Value.String()
	return !strings.Contains(run, "/") && skip == ""
}

// exercisedFeatures is the union of the features of the passing tests.
func exercisedFeatures(results map[string]outcome) sets.Set[features.FeatureName] {
	out := sets.New[features.FeatureName]()
	for name, o := range results {
		if !o.passed {
			continue
		}
		for _, ct := range upstreamByName(name) {
			out.Insert(ct.Features...)
		}
	}
	return out
}

func writeReport(t *testing.T, results map[string]outcome) {
	t.Helper()
	r := buildReport(t, results)
	y, err := marshalReport(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*reportPath, y, 0o644); err != nil {
		t.Fatal(err)
	}
	md := filepath.Join(filepath.Dir(*reportPath), "REPORT.md")
	if err := os.WriteFile(md, []byte(markdownReport(r, results)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s and %s", *reportPath, md)
}
