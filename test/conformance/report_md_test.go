package conformance_test

import (
	"fmt"
	"strings"

	confv1 "sigs.k8s.io/gateway-api/conformance/apis/v1"
)

// markdownReport renders the report as tables for the README: one row per
// profile, then the features, then how each counted test ran.
func markdownReport(r *confv1.ConformanceReport, results map[string]outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Gateway API conformance (%s, %s channel)\n\n", r.GatewayAPIVersion, r.GatewayAPIChannel)
	b.WriteString("Generated from [report.yaml](report.yaml) by " +
		"`go test ./test/conformance -run TestConformance -report report.yaml`; do not edit.\n\n" +
		"The harness runs the upstream conformance tests (sigs.k8s.io/gateway-api/conformance) against the " +
		"status the translator computes, with no Kubernetes and no proxy. \"" + string(ranWhole) + "\": the test asserts " +
		"status only and ran as is. \"" + string(ranXDS) + "\": the test ran as is, status and requests, each request " +
		"answered by the xDS the translator serves the Gateway's fleet, evaluated with Envoy's routing semantics " +
		"(internal/xdseval), with a stand-in for the echo backends. \"" + string(ranStatus) + "\": only the test's " +
		"status steps ran as upstream wrote them; its traffic steps dial the Gateway or a backend directly, so the " +
		"harness asserts them on the translated xDS with its own code (TCP/UDP/TLS connections followed through " +
		"the listener, SNI chain and clusters to the backend pods; the TLS contexts of client-certificate and " +
		"BackendTLSPolicy tests), next to the xDS golden cases and e2e tests.\n\n")
	b.WriteString("| Profile | Core | Extended | Summary |\n|---|---|---|---|\n")
	for _, p := range r.ProfileReports {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", p.Name, cell(p.Core), cell(p.Extended.Status), p.Summary)
	}
	b.WriteString("\n## Extended features\n\n| Profile | Supported | Unsupported |\n|---|---|---|\n")
	for _, p := range r.ProfileReports {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", p.Name, list(p.Extended.SupportedFeatures), list(p.Extended.UnsupportedFeatures))
	}
	b.WriteString("\n## Tests\n\n| Test | Result | Ran |\n|---|---|---|\n")
	for _, ct := range sortedTests() {
		o, ok := results[ct.ShortName]
		if !ok || !counted(ct.ShortName) {
			continue
		}
		res := "passed"
		if !o.passed {
			res = "FAILED"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", ct.ShortName, res, o.how)
	}
	b.WriteString("\nSkipped tests (every feature they need is declared, but the harness does not run them yet) " +
		"are listed per profile in report.yaml under `skippedTests`.\n")
	return b.String()
}

func cell(s confv1.Status) string {
	return fmt.Sprintf("%s (%d passed, %d skipped, %d failed)", s.Result, s.Passed, s.Skipped, s.Failed)
}

func list(names []string) string {
	if len(names) == 0 {
		return "—"
	}
	return strings.Join(names, ", ")
}

// counted says whether some profile counts the test: those needing an
// undeclared feature are left out, as upstream leaves them out.
func counted(shortName string) bool {
	declared := declaredFeatures()
	for _, p := range reportedProfiles {
		for _, ct := range upstreamByName(shortName) {
			if inProfile(p, ct) && declared.HasAll(ct.Features...) {
				return true
			}
		}
	}
	return false
}
