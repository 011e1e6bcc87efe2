package conformance_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
)

func init() {
	harness = append(harness,
		struct {
			name string
			run  func(*testing.T)
		}{"UpstreamListenerSet", upstreamListenerSet})
}

// listenerSetCluster is the harness's cluster that also answers Gets of
// ListenerSets, with the status the translator computes for them.
type listenerSetCluster struct {
	*cluster
}

func (c listenerSetCluster) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	ls, ok := obj.(*gwapiv1.ListenerSet)
	if !ok {
		return c.cluster.Get(ctx, key, obj, opts...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Translate is pure, so translating the cluster's objects again gives
	// the status its last write-back computed.
	found := find(gatewayapi.Translate(c.res, c.opts).ListenerSets, key)
	if found == nil {
		// A set that is not ours has no status from us, but exists.
		found = find(c.res.ListenerSets, key)
	}
	if found == nil {
		return apierrors.NewNotFound(schema.GroupResource{Group: gwapiv1.GroupName, Resource: "listenersets"}, key.Name)
	}
	found.DeepCopyInto(ls)
	return nil
}

func newListenerSetSuite(t *testing.T, ct suite.ConformanceTest) *suite.ConformanceTestSuite {
	t.Helper()
	s := newSuite(t, ct)
	s.Client = listenerSetCluster{s.Client.(*cluster)}
	return s
}

// upstreamListenerSet runs the upstream ListenerSet tests that check
// status only unchanged, and repeats the status assertions of those that
// go on to send requests (their routing is in the golden case
// listenerset-allowed-listeners).
func upstreamListenerSet(t *testing.T) {
	for _, name := range []string{
		"ListenerSetAllowedNamespaceNone",
		"ListenerSetAllowedNamespaceSame",
		"ListenerSetAllowedNamespaceSelector",
		"ListenerSetAllowedRoutesSupportedKinds",
		"ListenerSetDefaultNotAllowed",
		"ListenerSetHostnameConflict",
		"ListenerSetProtocolConflict",
		"ListenerSetReferenceGrant",
		"ListenerSetRouteStatusScopedToParentRef",
	} {
		t.Run(name, func(t *testing.T) {
			record(t, name, ranWhole)
			ct := upstream(t, name)
			ct.Test(t, newListenerSetSuite(t, ct))
		})
	}
	for name, prelude := range map[string]func(*testing.T, *suite.ConformanceTestSuite){
		"ListenerSetAllowedRoutesNamespaces":          listenerSetAllowedRoutesNamespaces,
		"ListenerSetDualParentRefIndependence":        listenerSetDualParentRefIndependence,
		"ListenerSetGatewayParentSectionNameNotFound": listenerSetGatewayParentSectionNameNotFound,
		"ListenerSetHTTPRouting":                      listenerSetHTTPRouting,
	} {
		t.Run(name, func(t *testing.T) {
			record(t, name, ranStatus)
			prelude(t, newListenerSetSuite(t, upstream(t, name)))
		})
	}
}

var listenerSetGK = schema.GroupKind{Group: gwapiv1.GroupVersion.Group, Kind: "ListenerSet"}

// The upstream tests' own expectations (unexported there).
func supportedHTTPRouteKinds() []gwapiv1.RouteGroupKind {
	return []gwapiv1.RouteGroupKind{{Group: (*gwapiv1.Group)(&gwapiv1.GroupVersion.Group), Kind: "HTTPRoute"}}
}

func acceptedListenerConditions() []metav1.Condition {
	return []metav1.Condition{
		{Type: string(gwapiv1.ListenerConditionResolvedRefs), Status: metav1.ConditionTrue},
		{Type: string(gwapiv1.ListenerConditionAccepted), Status: metav1.ConditionTrue},
		{Type: string(gwapiv1.ListenerConditionProgrammed), Status: metav1.ConditionTrue},
	}
}

func acceptedEntry(name string, routes int32) gwapiv1.ListenerEntryStatus {
	return gwapiv1.ListenerEntryStatus{Name: gwapiv1.SectionName(name), SupportedKinds: supportedHTTPRouteKinds(),
		AttachedRoutes: routes, Conditions: acceptedListenerConditions()}
}

var gatewayAccepted = metav1.Condition{Type: string(gwapiv1.GatewayConditionAccepted), Status: metav1.ConditionTrue}

// gatewayWithSets is the common start of the traffic tests: the Gateway
// has an address, is accepted and counts its attached sets.
func gatewayWithSets(t *testing.T, s *suite.ConformanceTestSuite, gwNN types.NamespacedName, listener string, sets int32) {
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	_, err := kubernetes.WaitForGatewayAddress(t, s.Client, s.TimeoutConfig, kubernetes.NewGatewayRef(gwNN, listener))
	require.NoErrorf(t, err, "timed out waiting for Gateway address to be assigned")
	kubernetes.GatewayMustHaveCondition(t, s.Client, s.TimeoutConfig, gwNN, gatewayAccepted)
	kubernetes.GatewayMustHaveAttachedListeners(t, s.Client, s.TimeoutConfig, gwNN, sets)
}

func listenerSetAllowedRoutesNamespaces(t *testing.T, s *suite.ConformanceTestSuite) {
	gatewayWithSets(t, s, nn(infra, "gateway-with-listener-sets-test-allowed-routes"), "gateway-listener", 2)
	t.Run("Same-namespace ListenerSet", func(t *testing.T) {
		lsNN := nn(infra, "listenerset-test-allowed-routes-namespaces")
		kubernetes.RoutesAndParentMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewResourceRef(listenerSetGK, lsNN),
			&gwapiv1.HTTPRoute{}, nn(infra, "route-in-same-namespace"), nn("gateway-api-routes-allowed-ns", "route-in-selected-namespace"),
			nn("gateway-api-routes-not-allowed-ns", "route-not-in-selected-namespace"))
		kubernetes.ListenerSetStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, lsNN, []gwapiv1.ListenerEntryStatus{
			acceptedEntry("listener-set-listener-allowed-routes-all", 3),
			acceptedEntry("listener-set-listener-allowed-routes-same", 1),
			acceptedEntry("listener-set-listener-allowed-routes-selector", 1),
		})
	})
	t.Run("Cross-namespace ListenerSet", func(t *testing.T) {
		lsNN := nn("gateway-api-ls-cross-ns", "listenerset-test-allowed-routes-cross-ns")
		kubernetes.RoutesAndParentMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewResourceRef(listenerSetGK, lsNN),
			&gwapiv1.HTTPRoute{}, nn("gateway-api-ls-cross-ns", "route-in-listenerset-namespace"))
		kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, nn(infra, "route-in-gateway-namespace"), lsNN, metav1.Condition{
			Type: string(gwapiv1.RouteConditionAccepted), Status: metav1.ConditionFalse, Reason: string(gwapiv1.RouteReasonNotAllowedByListeners),
		})
		kubernetes.ListenerSetStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, lsNN, []gwapiv1.ListenerEntryStatus{
			acceptedEntry("listener-set-listener-allowed-routes-cross-ns-same", 1),
		})
	})
}

func listenerSetDualParentRefIndependence(t *testing.T, s *suite.ConformanceTestSuite) {
	gwNN := nn(infra, "gateway-dual-parentref")
	gatewayWithSets(t, s, gwNN, "gw-dual-parentref-listener", 1)
	lsNN := nn(infra, "ls-dual-parentref")
	kubernetes.ListenerSetStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, lsNN, []gwapiv1.ListenerEntryStatus{acceptedEntry("ls-dual-parentref-listener", 2)})
	routeAccepted := metav1.Condition{Type: string(gwapiv1.RouteConditionAccepted), Status: metav1.ConditionTrue}
	t.Run("Both parentRefs are Accepted", func(t *testing.T) {
		both := nn(infra, "route-dual-parentref-both")
		kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, both, gwNN, routeAccepted)
		kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, both, lsNN, routeAccepted)
	})
	t.Run("One of two parentRefs is Accepted", func(t *testing.T) {
		one := nn(infra, "route-dual-parentref-one")
		kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, one, gwNN, metav1.Condition{
			Type: string(gwapiv1.RouteConditionAccepted), Status: metav1.ConditionFalse, Reason: string(gwapiv1.RouteReasonNoMatchingParent),
		})
		kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, one, lsNN, routeAccepted)
		kubernetes.RoutesAndParentMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewResourceRef(listenerSetGK, lsNN),
			&gwapiv1.HTTPRoute{}, one)
	})
}

func listenerSetGatewayParentSectionNameNotFound(t *testing.T, s *suite.ConformanceTestSuite) {
	gwNN := nn(infra, "gateway-section-name")
	gatewayWithSets(t, s, gwNN, "gw-listener", 1)
	kubernetes.RoutesAndParentMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName,
		kubernetes.NewResourceRef(listenerSetGK, nn(infra, "listenerset-section-name")), &gwapiv1.HTTPRoute{}, nn(infra, "route-via-listenerset"))
	kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, nn(infra, "route-via-gateway"), gwNN, metav1.Condition{
		Type: string(gwapiv1.RouteConditionAccepted), Status: metav1.ConditionFalse, Reason: string(gwapiv1.RouteReasonNoMatchingParent),
	})
}

func listenerSetHTTPRouting(t *testing.T, s *suite.ConformanceTestSuite) {
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	gwNN := nn(infra, "gateway-with-listener-sets-http-routing")
	kubernetes.GatewayAndHTTPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN, "gateway-listener"),
		nn(infra, "attaches-to-all-listeners"), nn(infra, "gateway-route"), nn(infra, "gateway-section-route"))
	kubernetes.GatewayMustHaveAttachedListeners(t, s.Client, s.TimeoutConfig, gwNN, 2)
	ls1 := nn(infra, "listener-set-http-routing-1")
	kubernetes.RoutesAndParentMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewResourceRef(listenerSetGK, ls1), &gwapiv1.HTTPRoute{},
		nn(infra, "attaches-to-all-listeners"), nn(infra, "listener-set-http-routing-1-route"), nn(infra, "listener-set-http-routing-1-section-route"))
	kubernetes.ListenerSetStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, ls1, []gwapiv1.ListenerEntryStatus{
		acceptedEntry("listener-set-http-routing-1-listener-1", 3),
		acceptedEntry("listener-set-http-routing-1-listener-2", 2),
	})
	ls2 := nn(infra, "listener-set-http-routing-2")
	kubernetes.RoutesAndParentMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewResourceRef(listenerSetGK, ls2), &gwapiv1.HTTPRoute{},
		nn(infra, "attaches-to-all-listeners"), nn(infra, "listener-set-http-routing-2-route"))
	kubernetes.ListenerSetStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, ls2, []gwapiv1.ListenerEntryStatus{
		acceptedEntry("listener-set-http-routing-2-listener-1", 2),
		acceptedEntry("listener-set-http-routing-2-listener-2", 2),
	})
}
