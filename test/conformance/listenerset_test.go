package conformance_test

import (
	"context"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
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

// listenerSetCluster is a harness cluster (plain, or the traffic one)
// that also answers Gets of ListenerSets, with the status the translator
// computes for them.
type listenerSetCluster struct {
	client.Client
	c *cluster
}

func (w listenerSetCluster) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	ls, ok := obj.(*gwapiv1.ListenerSet)
	if !ok {
		return w.Client.Get(ctx, key, obj, opts...)
	}
	c := w.c
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
	s.Client = listenerSetCluster{Client: s.Client, c: s.Client.(*cluster)}
	return s
}

// newListenerSetTrafficSuite is newTrafficSuite with ListenerSets: the
// requests are answered by the translated xDS.
func newListenerSetTrafficSuite(t *testing.T, ct suite.ConformanceTest) *suite.ConformanceTestSuite {
	t.Helper()
	s := newTrafficSuite(t, ct)
	tc := s.Client.(*trafficCluster)
	s.Client = listenerSetCluster{Client: tc, c: tc.cluster}
	return s
}

// upstreamListenerSet runs every upstream ListenerSet test whole: those
// that check status only as they are, those that send requests with the
// RoundTripper answered by the translated xDS (roundtrip_test.go).
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
	for _, name := range []string{
		"ListenerSetAllowedRoutesNamespaces",
		"ListenerSetDualParentRefIndependence",
		"ListenerSetGatewayParentSectionNameNotFound",
		"ListenerSetHTTPRouting",
	} {
		t.Run(name, func(t *testing.T) {
			record(t, name, ranXDS)
			ct := upstream(t, name)
			ct.Test(t, newListenerSetTrafficSuite(t, ct))
		})
	}
}
