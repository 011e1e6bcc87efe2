// Package conformance_test checks the translator against the upstream
// Gateway API conformance suite (sigs.k8s.io/gateway-api/conformance
// v1.6.3): its manifests, and its own assertion helpers and tests, run on
// the status the translator computes, with no Kubernetes cluster and no
// proxy. Tests that check status only run unchanged. Tests that send HTTP
// or gRPC run unchanged too, their requests answered by the xDS the
// translator serves the Gateway's fleet (internal/xdseval, see
// traffic_test.go); where that is not possible, or the answer is wrong,
// their status assertions are repeated with the same helpers and
// arguments, and the file says why. Each case names the upstream test.
//
// Gateway spec.tls (client certificates, both ways) is in gateway_tls_test.go,
// spec.addresses without a value in gateway_address_test.go, and
// spec.infrastructure in gateway_infrastructure_test.go (GatewayInfrastructureMetadata
// looks for labels on Kubernetes objects; here they must reach the fleet
// module's input).
//
// Status preludes: GATEWAY-TLS in profiles_test.go, BackendTLSPolicy in
// backendtls_test.go. Mesh tests are not covered.
package conformance_test

import (
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/gateway-api/conformance/tests"
	"sigs.k8s.io/gateway-api/conformance/utils/config"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
)

const infra = "gateway-conformance-infra"

// timeouts are short: the cluster answers with final status at once, so a
// wait only ever ends in failure. HTTPRouteMustNotHaveParents must allow
// the helper's two polls a second apart.
func timeouts() config.TimeoutConfig {
	tc := config.DefaultTimeoutConfig()
	v := reflect.ValueOf(&tc).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Type() == reflect.TypeFor[time.Duration]() {
			f.Set(reflect.ValueOf(2 * time.Second))
		}
	}
	tc.DefaultPollInterval = 50 * time.Millisecond
	tc.HTTPRouteMustNotHaveParents = 3 * time.Second
	return tc
}

func upstream(t *testing.T, shortName string) suite.ConformanceTest {
	t.Helper()
	for _, ct := range tests.ConformanceTests {
		if ct.ShortName == shortName {
			return ct
		}
	}
	t.Fatalf("no upstream conformance test %q", shortName)
	return suite.ConformanceTest{}
}

// newSuite loads the test's manifests into a cluster and returns the suite
// value the upstream tests and helpers take.
func newSuite(t *testing.T, ct suite.ConformanceTest) *suite.ConformanceTestSuite {
	t.Helper()
	c := newCluster(loadManifests(t, ct.Manifests...), gatewayapi.Options{AddressUsable: addressUsable})
	return &suite.ConformanceTestSuite{
		Client:           c,
		TimeoutConfig:    timeouts(),
		ControllerName:   controllerName,
		GatewayClassName: className,
		// Upstream tests branch on it, as they would against a cluster.
		SupportedFeatures: declaredFeatures(),
	}
}

// upstreamStatusOnly runs upstream tests that assert nothing but status,
// unchanged.
func upstreamStatusOnly(t *testing.T) {
	for _, name := range []string{
		"GatewayClassObservedGenerationBump",
		"GatewayObservedGenerationBump",
		"GatewayInvalidRouteKind",
		"GatewayListenerUnsupportedProtocol",
		"GatewayWithAttachedRoutesWithPort8080",
		"GatewayStaticAddresses",
		"HTTPRouteInvalidCrossNamespaceParentRef",
		"HTTPRouteInvalidParentRefNotMatchingListenerPort",
		"HTTPRouteInvalidParentRefNotMatchingSectionName",
		"HTTPRouteInvalidParentRefSectionNameNotMatchingPort",
		"HTTPRouteObservedGenerationBump",
	} {
		t.Run(name, func(t *testing.T) {
			record(t, name, ranWhole)
			ct := upstream(t, name)
			ct.Test(t, newSuite(t, ct))
		})
	}
}

func nn(ns, name string) types.NamespacedName { return types.NamespacedName{Namespace: ns, Name: name} }
