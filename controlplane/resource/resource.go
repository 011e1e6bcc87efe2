// Package resource is the resource model of the control plane: the Gateway API
// objects it consumes, the Kubernetes core objects that feed them (Namespaces,
// Services, EndpointSlices), and the project's own kinds.
//
// The Gateway API and Kubernetes types come from their upstream Go modules and
// are never redefined here; only the project's own kinds are declared.
package resource

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Group and Version name the API group of the project's own kinds.
const (
	Group      = "envoygateway.dev"
	Version    = "v1alpha1"
	APIVersion = Group + "/" + Version
)

// Kind names, as they appear in manifests.
const (
	KindGatewayClass     = "GatewayClass"
	KindGateway          = "Gateway"
	KindHTTPRoute        = "HTTPRoute"
	KindReferenceGrant   = "ReferenceGrant"
	KindNamespace        = "Namespace"
	KindService          = "Service"
	KindEndpointSlice    = "EndpointSlice"
	KindBackend          = "Backend"
	KindSecret           = "Secret"
	KindGRPCRoute        = "GRPCRoute"
	KindTLSRoute         = "TLSRoute"
	KindTCPRoute         = "TCPRoute"
	KindUDPRoute         = "UDPRoute"
	KindBackendTLSPolicy = "BackendTLSPolicy"
	KindConfigMap        = "ConfigMap"
	KindListenerSet      = "ListenerSet"
)

// DefaultControllerName is the controllerName a GatewayClass must carry for
// this control plane to handle it. It is Envoy Gateway's own, so that
// existing manifests work unchanged.
const DefaultControllerName gwapiv1.GatewayController = "gateway.envoyproxy.io/gatewayclass-controller"

// Resources is one consistent snapshot of every object a config source holds.
// Slices are in no particular order; consumers that need determinism sort.
type Resources struct {
	GatewayClasses  []*gwapiv1.GatewayClass
	Gateways        []*gwapiv1.Gateway
	HTTPRoutes      []*gwapiv1.HTTPRoute
	ReferenceGrants []*gwapiv1.ReferenceGrant
	Namespaces      []*corev1.Namespace
	Services        []*corev1.Service
	EndpointSlices  []*discoveryv1.EndpointSlice
	Backends        []*Backend
	// Secrets hold certificates (type kubernetes.io/tls) for HTTPS and TLS
	// listeners. Their private keys must never reach a log.
	Secrets    []*corev1.Secret
	GRPCRoutes []*gwapiv1.GRPCRoute
	TLSRoutes  []*gwapiv1.TLSRoute
	TCPRoutes  []*gwapiv1.TCPRoute
	UDPRoutes  []*gwapiv1.UDPRoute
	// EnvoyFleets are what GatewayClasses' parametersRef name: how each
	// class's fleet is provisioned.
	EnvoyFleets []*EnvoyFleet
	// BackendTLSPolicies make the proxies reach Services over TLS.
	BackendTLSPolicies []*gwapiv1.BackendTLSPolicy
	// ConfigMaps hold CA bundles ("ca.crt") for BackendTLSPolicies.
	ConfigMaps []*corev1.ConfigMap
	// ListenerSets add listeners to Gateways that allow them
	// (spec.allowedListeners).
	ListenerSets []*gwapiv1.ListenerSet
}

// Backend is the project's own backend kind: a set of endpoints that live
// outside any Kubernetes cluster, addressed by IP or hostname. A route refers
// to it with backendRef group "envoygateway.dev", kind "Backend".
type Backend struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              BackendSpec `json:"spec"`
}

// BackendSpec lists the endpoints of a Backend.
type BackendSpec struct {
	// Endpoints are "IP:port" or "hostname:port" strings. Hostnames are
	// resolved by the proxy (DNS), IPs are sent as static endpoints.
	Endpoints []BackendEndpoint `json:"endpoints"`
}

// BackendEndpoint is one address of a Backend.
type BackendEndpoint struct {
	// Address is "IP:port" or "hostname:port"; IPv6 in brackets.
	Address string `json:"address"`
}
