package conformance_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"
)

// policyConds are the conditions an upstream test expects on a
// BackendTLSPolicy, for the ancestor Gateway of its prelude.
type policyConds struct {
	policy string
	conds  []metav1.Condition
}

// tlsPolicyPrelude is the status part of an upstream BackendTLSPolicy
// test, with the same helpers and arguments; requests through a TLS
// backend need a data plane.
type tlsPolicyPrelude struct {
	test    string
	gateway types.NamespacedName
	route   string
	// routeResolved: the upstream test also checks the route's
	// ResolvedRefs (a policy never makes a backendRef unresolved).
	routeResolved bool
	policies      []policyConds
}

func (p tlsPolicyPrelude) run(t *testing.T, s *suite.ConformanceTestSuite) {
	routeNN := nn(infra, p.route)
	kubernetes.GatewayAndRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName,
		kubernetes.NewGatewayRef(p.gateway), &gwapiv1.HTTPRoute{}, false, routeNN)
	if p.routeResolved {
		kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue(t, s.Client, s.TimeoutConfig, routeNN, p.gateway)
	}
	for _, pc := range p.policies {
		for _, c := range pc.conds {
			kubernetes.BackendTLSPolicyMustHaveCondition(t, s.Client, s.TimeoutConfig, nn(infra, pc.policy), p.gateway, c)
		}
	}
}

var (
	policyAccepted = metav1.Condition{Type: string(gwapiv1.PolicyConditionAccepted), Status: metav1.ConditionTrue,
		Reason: string(gwapiv1.PolicyReasonAccepted)}
	policyResolved = metav1.Condition{Type: string(gwapiv1.BackendTLSPolicyConditionResolvedRefs), Status: metav1.ConditionTrue,
		Reason: string(gwapiv1.BackendTLSPolicyReasonResolvedRefs)}
	policyConflicted = metav1.Condition{Type: string(gwapiv1.PolicyConditionAccepted), Status: metav1.ConditionFalse,
		Reason: string(gwapiv1.PolicyReasonConflicted)}
	policyNoValidCA = metav1.Condition{Type: string(gwapiv1.PolicyConditionAccepted), Status: metav1.ConditionFalse,
		Reason: string(gwapiv1.BackendTLSPolicyReasonNoValidCACertificate)}
	policyInvalidCARef = metav1.Condition{Type: string(gwapiv1.BackendTLSPolicyConditionResolvedRefs), Status: metav1.ConditionFalse,
		Reason: string(gwapiv1.BackendTLSPolicyReasonInvalidCACertificateRef)}
	policyInvalidKind = metav1.Condition{Type: string(gwapiv1.BackendTLSPolicyConditionResolvedRefs), Status: metav1.ConditionFalse,
		Reason: string(gwapiv1.BackendTLSPolicyReasonInvalidKind)}
)

func accepted(names ...string) []policyConds {
	var out []policyConds
	for _, n := range names {
		out = append(out, policyConds{n, []metav1.Condition{policyAccepted}})
	}
	return out
}

// upstreamBackendTLSPolicy runs BackendTLSPolicyObservedGenerationBump
// unchanged (it checks status only) and repeats the status assertions of
// the other BackendTLSPolicy tests. What the traffic steps check (SNI,
// CA, SAN and 5xx on a bad CA) is in the translators' golden cases
// backendtlspolicy-ca-hostname-san and backendtls-upstream-tls.
func upstreamBackendTLSPolicy(t *testing.T) {
	t.Run("BackendTLSPolicyObservedGenerationBump", func(t *testing.T) {
		record(t, "BackendTLSPolicyObservedGenerationBump", ranWhole)
		ct := upstream(t, "BackendTLSPolicyObservedGenerationBump")
		ct.Test(t, newSuite(t, ct))
	})
	sameNS := nn(infra, "same-namespace")
	both := []metav1.Condition{policyAccepted, policyResolved}
	for _, p := range []tlsPolicyPrelude{
		{test: "BackendTLSPolicy", gateway: sameNS, route: "backendtlspolicy", routeResolved: true, policies: []policyConds{
			{"normative-test", both}, {"host-mismatch", both}, {"cert-mismatch", both}, {"reconcile-test", both},
		}},
		{test: "BackendTLSPolicy", gateway: nn(infra, "same-namespace-with-https-listener"), route: "backendtlspolicy-reencrypt",
			routeResolved: true, policies: []policyConds{{"normative-test", both}}},
		{test: "BackendTLSPolicyConflictResolution", gateway: sameNS, route: "backendtlspolicy-conflict-resolution", routeResolved: true,
			policies: []policyConds{
				{"conflicted-without-section-name-1", []metav1.Condition{policyAccepted}},
				{"conflicted-without-section-name-2", []metav1.Condition{policyConflicted}},
				{"conflicted-with-section-name-1", []metav1.Condition{policyAccepted}},
				{"conflicted-with-section-name-2", []metav1.Condition{policyConflicted}},
				{"not-conflicted-with-section-name", []metav1.Condition{policyAccepted}},
				{"not-conflicted-without-section-name", []metav1.Condition{policyAccepted}},
			}},
		{test: "BackendTLSPolicyInvalidCACertificateRef", gateway: sameNS, route: "backendtlspolicy-invalid-ca-certificate-ref", policies: []policyConds{
			{"nonexistent-ca-certificate-ref", []metav1.Condition{policyNoValidCA, policyInvalidCARef}},
			{"malformed-ca-certificate-ref", []metav1.Condition{policyNoValidCA, policyInvalidCARef}},
		}},
		{test: "BackendTLSPolicyInvalidKind", gateway: sameNS, route: "backendtlspolicy-invalid-kind-test", policies: []policyConds{
			{"invalid-kind", []metav1.Condition{policyNoValidCA, policyInvalidKind}},
		}},
		{test: "BackendTLSPolicySANValidation", gateway: sameNS, route: "backendtlspolicy-san-test", routeResolved: true,
			policies: accepted("san-dns", "san-dns-mismatch", "san-uri", "san-uri-mismatch", "multiple-sans", "multiple-mismatch-sans")},
	} {
		t.Run(p.test+"/"+p.route, func(t *testing.T) {
			record(t, p.test, ranStatus)
			p.run(t, newSuite(t, upstream(t, p.test)))
		})
	}
}
