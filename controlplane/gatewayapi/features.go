package gatewayapi

import (
	"slices"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/pkg/features"
)

// SupportedFeatures are the Gateway API features (sigs.k8s.io/gateway-api
// pkg/features) this translator and the xDS it produces implement, as
// GatewayClass status.supportedFeatures reports them. A feature is listed
// only when it is translated, not refused, and covered by a golden case or
// a conformance test.
var SupportedFeatures = sortedFeatures(
	features.SupportGateway,
	features.SupportGatewayPort8080,
	features.SupportGatewayStaticAddresses,
	features.SupportGatewayAddressEmpty,
	features.SupportGatewayInfrastructure,
	features.SupportGatewayHTTPListenerIsolation,
	features.SupportGatewayHTTPSListenerDetectMisdirectedRequests,
	features.SupportListenerSet,
	features.SupportGatewayFrontendClientCertificateValidation,
	features.SupportGatewayFrontendClientCertificateValidationInsecureFallback,
	features.SupportGatewayBackendClientCertificate,
	features.SupportReferenceGrant,
	features.SupportHTTPRoute,
	features.SupportHTTPRouteDestinationPortMatching,
	features.SupportHTTPRouteBackendRequestHeaderModification,
	features.SupportHTTPRouteQueryParamMatching,
	features.SupportHTTPRouteMethodMatching,
	features.SupportHTTPRouteResponseHeaderModification,
	features.SupportHTTPRoutePortRedirect,
	features.SupportHTTPRouteSchemeRedirect,
	features.SupportHTTPRoutePathRedirect,
	features.SupportHTTPRouteHostRewrite,
	features.SupportHTTPRoutePathRewrite,
	features.SupportHTTPRouteRequestMirror,
	features.SupportHTTPRouteRequestMultipleMirrors,
	features.SupportHTTPRouteRequestPercentageMirror,
	features.SupportHTTPRouteRequestTimeout,
	features.SupportHTTPRouteBackendTimeout,
	features.SupportHTTPRouteParentRefPort,
	features.SupportHTTPRouteBackendProtocolH2C,
	features.SupportHTTPRouteBackendProtocolWebSocket,
	features.SupportHTTPRouteNamedRouteRule,
	features.SupportHTTPRouteCORS,
	features.SupportHTTPRoute303RedirectStatusCode,
	features.SupportHTTPRoute307RedirectStatusCode,
	features.SupportHTTPRoute308RedirectStatusCode,
	features.SupportHTTPRouteRetry,
	features.SupportHTTPRouteRetryBackendTimeout,
	features.SupportHTTPRouteRetryConnectionError,
	features.SupportGRPCRoute,
	features.SupportGRPCRouteNamedRouteRule,
	features.SupportTLSRoute,
	features.SupportTLSRouteModeTerminate,
	features.SupportTLSRouteModeMixed,
	features.SupportTCPRoute,
	features.SupportUDPRoute,
	features.SupportBackendTLSPolicy,
	features.SupportBackendTLSPolicySANValidation,
)

// sortedFeatures sorts by name: the CRD lists supportedFeatures as a set
// sorted alphabetically, and a stable order keeps status writes quiet.
func sortedFeatures(names ...features.FeatureName) []gwapiv1.SupportedFeature {
	slices.Sort(names)
	out := make([]gwapiv1.SupportedFeature, len(names))
	for i, n := range names {
		out[i] = gwapiv1.SupportedFeature{Name: gwapiv1.FeatureName(n)}
	}
	return out
}
