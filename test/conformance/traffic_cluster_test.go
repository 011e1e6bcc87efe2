package conformance_test

import (
	"context"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
)

// trafficCluster is the cluster for tests that send traffic: each Gateway
// gets an address of its own (the plain cluster gives all the same one,
// which is enough for status), so that a request's address names the
// Gateway, hence the fleet, it goes to. Addresses come from 192.0.2.0/24
// (TEST-NET-1): nothing may ever be sent there.
type trafficCluster struct {
	*cluster
	pods *echoPods
	// version moves on every write; the RoundTripper re-translates then.
	version int
	byKey   map[client.ObjectKey]string
	byAddr  map[string]client.ObjectKey
}

func newTrafficCluster(c *cluster, pods *echoPods) *trafficCluster {
	tc := &trafficCluster{cluster: c, pods: pods, byKey: map[client.ObjectKey]string{}, byAddr: map[string]client.ObjectKey{}}
	for i, g := range c.res.Gateways {
		addr := fmt.Sprintf("192.0.2.%d", 100+i)
		tc.byKey[client.ObjectKeyFromObject(g)] = addr
		tc.byAddr[addr] = client.ObjectKeyFromObject(g)
	}
	return tc
}

// readdress gives g the Gateway's own address where the plain cluster put
// the shared one.
func (tc *trafficCluster) readdress(g *gwapiv1.Gateway) {
	for i, a := range g.Status.Addresses {
		if a.Value == tc.address {
			g.Status.Addresses[i].Value = tc.byKey[client.ObjectKeyFromObject(g)]
		}
	}
}

func (tc *trafficCluster) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if s, ok := obj.(*corev1.Secret); ok {
		return tc.getSecret(key, s)
	}
	if handled, err := tc.getWorkload(key, obj); handled {
		return err
	}
	if err := tc.cluster.Get(ctx, key, obj, opts...); err != nil {
		return err
	}
	if g, ok := obj.(*gwapiv1.Gateway); ok {
		tc.readdress(g)
	}
	return nil
}

func (tc *trafficCluster) getSecret(key client.ObjectKey, into *corev1.Secret) error {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for _, s := range tc.res.Secrets {
		if client.ObjectKeyFromObject(s) == key {
			s.DeepCopyInto(into)
			return nil
		}
	}
	return apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
}

func (tc *trafficCluster) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if l, ok := list.(*corev1.PodList); ok {
		tc.listPods(l, opts...)
		return nil
	}
	if err := tc.cluster.List(ctx, list, opts...); err != nil {
		return err
	}
	if l, ok := list.(*gwapiv1.GatewayList); ok {
		for i := range l.Items {
			tc.readdress(&l.Items[i])
		}
	}
	return nil
}

func (tc *trafficCluster) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	if es, ok := obj.(*discoveryv1.EndpointSlice); ok {
		return tc.patchSlice(es)
	}
	if err := tc.cluster.Patch(ctx, obj, patch, opts...); err != nil {
		return err
	}
	tc.mu.Lock()
	tc.version++
	tc.mu.Unlock()
	return nil
}

// Delete removes a ReferenceGrant, as HTTPRouteReferenceGrant does to
// see traffic stop; any other kind is a harness gap.
func (tc *trafficCluster) Delete(_ context.Context, obj client.Object, _ ...client.DeleteOption) error {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if _, ok := obj.(*gwapiv1.ReferenceGrant); !ok {
		return fmt.Errorf("trafficCluster: Delete of %T is not supported", obj)
	}
	key := client.ObjectKeyFromObject(obj)
	kept := tc.res.ReferenceGrants[:0]
	for _, g := range tc.res.ReferenceGrants {
		if client.ObjectKeyFromObject(g) != key {
			kept = append(kept, g)
		}
	}
	if len(kept) == len(tc.res.ReferenceGrants) {
		return apierrors.NewNotFound(schema.GroupResource{Group: gwapiv1.GroupName, Resource: "referencegrants"}, key.Name)
	}
	tc.res.ReferenceGrants = kept
	tc.translate()
	tc.version++
	return nil
}

// classAt is the GatewayClass of the Gateway at addr: one the harness
// gave out, or a static address the Gateway asked for and was given. The
// caller holds tc.mu.
func (tc *trafficCluster) classAt(addr string) (string, error) {
	addr = hostOnly(addr)
	for _, g := range tc.res.Gateways {
		if tc.byKey[client.ObjectKeyFromObject(g)] == addr {
			return string(g.Spec.GatewayClassName), nil
		}
		for _, a := range g.Status.Addresses {
			if a.Value == addr && a.Value != tc.address {
				return string(g.Spec.GatewayClassName), nil
			}
		}
	}
	return "", fmt.Errorf("dial %s: no Gateway has this address (connection refused)", addr)
}

// newTrafficSuite is newSuite for a test that sends requests: its backends
// have endpoints, and its RoundTripper answers from the translated xDS.
func newTrafficSuite(t *testing.T, ct suite.ConformanceTest) *suite.ConformanceTestSuite {
	t.Helper()
	res := loadManifests(t, ct.Manifests...)
	pods := addEchoEndpoints(t, res, ct.Manifests...)
	tc := newTrafficCluster(newCluster(res, gatewayapi.Options{AddressUsable: addressUsable}), pods)
	cs, err := podLogsClientset(pods)
	if err != nil {
		t.Fatal(err)
	}
	rt := newXDSRoundTripper(tc, pods)
	return &suite.ConformanceTestSuite{
		Client:           tc,
		Clientset:        cs,
		RoundTripper:     rt,
		WebSocketDialer:  &xdsWebSocketDialer{rt: rt},
		GRPCClient:       &xdsGRPCClient{rt: rt},
		TimeoutConfig:    timeouts(),
		ControllerName:   controllerName,
		GatewayClassName: className,
		// Upstream tests branch on it, as they would against a cluster.
		SupportedFeatures: declaredFeatures(),
	}
}

// getWorkload answers for the Deployments, and the EndpointSlices, that
// HTTPRouteServiceTypes reads to fill its manual slices.
func (tc *trafficCluster) getWorkload(key client.ObjectKey, obj client.Object) (bool, error) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		for _, d := range tc.pods.deployments {
			if client.ObjectKeyFromObject(d) == key {
				d.DeepCopyInto(o)
				return true, nil
			}
		}
		return true, apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "deployments"}, key.Name)
	case *discoveryv1.EndpointSlice:
		tc.mu.Lock()
		defer tc.mu.Unlock()
		for _, es := range tc.res.EndpointSlices {
			if client.ObjectKeyFromObject(es) == key {
				es.DeepCopyInto(o)
				return true, nil
			}
		}
		return true, apierrors.NewNotFound(schema.GroupResource{Group: "discovery.k8s.io", Resource: "endpointslices"}, key.Name)
	}
	return false, nil
}

// listPods lists the echo pods, running and ready, with their addresses.
func (tc *trafficCluster) listPods(l *corev1.PodList, opts ...client.ListOption) {
	lo := (&client.ListOptions{}).ApplyOptions(opts)
	for _, r := range tc.pods.replicas {
		if lo.Namespace != "" && r.namespace != lo.Namespace || lo.LabelSelector != nil && !lo.LabelSelector.Matches(labels.Set(r.labels)) {
			continue
		}
		l.Items = append(l.Items, corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: r.name, Namespace: r.namespace, Labels: r.labels},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: r.ip, PodIPs: []corev1.PodIP{{IP: r.ip}},
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
		})
	}
}

// patchSlice stores a patched EndpointSlice whole, as cluster.Patch does
// for the Gateway API kinds.
func (tc *trafficCluster) patchSlice(es *discoveryv1.EndpointSlice) error {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for i, s := range tc.res.EndpointSlices {
		if client.ObjectKeyFromObject(s) == client.ObjectKeyFromObject(es) {
			tc.res.EndpointSlices[i] = es.DeepCopy()
			tc.translate()
			tc.version++
			return nil
		}
	}
	return apierrors.NewNotFound(schema.GroupResource{Group: "discovery.k8s.io", Resource: "endpointslices"}, es.Name)
}
