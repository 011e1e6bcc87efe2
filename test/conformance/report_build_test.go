package conformance_test

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	confv1 "sigs.k8s.io/gateway-api/conformance/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/tests"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"
	"sigs.k8s.io/gateway-api/pkg/features"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
)

// reportedProfiles are the Gateway profiles the translator claims; the mesh
// profiles are out of scope.
var reportedProfiles = []suite.ConformanceProfile{
	suite.GatewayGRPCConformanceProfile,
	suite.GatewayHTTPConformanceProfile,
	suite.GatewayTCPConformanceProfile,
	suite.GatewayTLSConformanceProfile,
	suite.GatewayUDPConformanceProfile,
}

func upstreamByName(shortName string) []suite.ConformanceTest {
	var out []suite.ConformanceTest
	for _, ct := range tests.ConformanceTests {
		if ct.ShortName == shortName {
			out = append(out, ct)
		}
	}
	return out
}

func declaredFeatures() sets.Set[features.FeatureName] {
	out := sets.New[features.FeatureName]()
	for _, f := range gatewayapi.SupportedFeatures {
		out.Insert(features.FeatureName(f.Name))
	}
	return out
}

// buildReport follows the upstream suite's rules (utils/suite/reports.go):
// a test belongs to a profile when the profile has all its features, is
// extended when any of them is not core, and is not counted when it needs
// an undeclared feature. A test the harness did not run although every
// feature it needs is declared is reported skipped, never passed.
func buildReport(t *testing.T, results map[string]outcome) *confv1.ConformanceReport {
	t.Helper()
	declared := declaredFeatures()
	var reports []confv1.ProfileReport
	var provisional []string
	for _, p := range reportedProfiles {
		pr := confv1.ProfileReport{Name: string(p.Name)}
		ext := &confv1.ExtendedStatus{}
		for _, ct := range sortedTests() {
			if !inProfile(p, ct) || !declared.HasAll(ct.Features...) {
				continue
			}
			st := &pr.Core
			if isExtended(p, ct) {
				st = &ext.Status
			}
			o, ran := results[ct.ShortName]
			switch {
			case !ran:
				st.Skipped++
				st.SkippedTests = append(st.SkippedTests, ct.ShortName)
			case o.passed:
				st.Passed++
				if ct.Provisional && !slices.Contains(provisional, ct.ShortName) {
					provisional = append(provisional, ct.ShortName)
				}
			default:
				st.Failed++
				st.FailedTests = append(st.FailedTests, ct.ShortName)
			}
		}
		ext.SupportedFeatures = featureNames(p.ExtendedFeatures.Intersection(declared))
		ext.UnsupportedFeatures = featureNames(p.ExtendedFeatures.Difference(declared))
		pr.Core.Result = result(pr.Core.Statistics)
		ext.Result = result(ext.Statistics)
		pr.Extended = ext
		pr.Summary = summary(pr)
		reports = append(reports, pr)
	}
	slices.Sort(provisional)
	return &confv1.ConformanceReport{
		TypeMeta: metav1.TypeMeta{APIVersion: confv1.GroupVersion.String(), Kind: "ConformanceReport"},
		Implementation: confv1.Implementation{
			Organization: "envoygateway",
			Project:      "terraform-provider-envoygateway",
			URL:          "https://github.com/envoygateway/terraform-provider-envoygateway",
			Version:      "dev",
			Contact:      []string{"https://github.com/envoygateway/terraform-provider-envoygateway/issues"},
		},
		Date:                      time.Now().UTC().Format(time.RFC3339),
		GatewayAPIVersion:         gatewayAPIVersion(t),
		GatewayAPIChannel:         "experimental",
		Mode:                      "default",
		ProfileReports:            reports,
		SucceededProvisionalTests: provisional,
	}
}

func sortedTests() []suite.ConformanceTest {
	out := slices.Clone(tests.ConformanceTests)
	slices.SortFunc(out, func(a, b suite.ConformanceTest) int { return strings.Compare(a.ShortName, b.ShortName) })
	return out
}

func inProfile(p suite.ConformanceProfile, ct suite.ConformanceTest) bool {
	for _, f := range ct.Features {
		if !p.CoreFeatures.Has(f) && !p.ExtendedFeatures.Has(f) {
			return false
		}
	}
	return len(ct.Features) > 0
}

func isExtended(p suite.ConformanceProfile, ct suite.ConformanceTest) bool {
	for _, f := range ct.Features {
		if !p.CoreFeatures.Has(f) {
			return true
		}
	}
	return false
}

func featureNames(s sets.Set[features.FeatureName]) []string {
	var out []string
	for _, f := range sets.List(s) {
		out = append(out, string(f))
	}
	return out
}

func result(s confv1.Statistics) confv1.Result {
	switch {
	case s.Failed > 0:
		return confv1.Failure
	case s.Skipped > 0:
		return confv1.Partial
	}
	return confv1.Success
}

// summary uses the upstream wording so reports read alike.
func summary(pr confv1.ProfileReport) string {
	part := func(s confv1.Status) string {
		switch s.Result {
		case confv1.Partial:
			return fmt.Sprintf("partially succeeded with %d test skips", s.Skipped)
		case confv1.Failure:
			return fmt.Sprintf("failed with %d test failures", s.Failed)
		}
		return "succeeded"
	}
	return fmt.Sprintf("Core tests %s. Extended tests %s.", part(pr.Core), part(pr.Extended.Status))
}

// gatewayAPIVersion is the version go.mod requires, so the report names the
// manifests and tests that actually ran.
func gatewayAPIVersion(t *testing.T) string {
	t.Helper()
	f, err := os.Open("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "sigs.k8s.io/gateway-api/conformance" {
			return fields[1]
		}
	}
	t.Fatal("go.mod requires no sigs.k8s.io/gateway-api/conformance")
	return ""
}

func marshalReport(r *confv1.ConformanceReport) ([]byte, error) {
	y, err := yaml.Marshal(r)
	if err != nil {
		return nil, err
	}
	header := "# Generated by `go test ./test/conformance -run TestConformance -report report.yaml`.\n" +
		"# Tests are run against the translator's status and, for HTTP requests, the xDS it serves\n" +
		"# (no Kubernetes, no proxy); see REPORT.md for how each upstream test ran.\n"
	return append([]byte(header), y...), nil
}
