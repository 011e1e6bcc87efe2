package conformance_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// cluster stands in for the Kubernetes API server the upstream conformance
// helpers talk to: it holds the objects, and after every write runs the
// translator and stores the status it computes, as the control plane's
// status writer will. Only the calls the status checks make are
// implemented (Get, List, Patch); any other is a harness bug and panics on
// the nil embedded client.
type cluster struct {
	client.Client

	mu   sync.Mutex
	res  *resource.Resources
	opts gatewayapi.Options
	// addressed is what the provisioner would write: an address per Gateway.
	address string
}

func newCluster(res *resource.Resources, opts gatewayapi.Options) *cluster {
	c := &cluster{res: res, opts: opts, address: "192.0.2.1"}
	c.translate()
	return c
}

// translate replaces the status-bearing objects with the translator's
// copies, so the next translation starts from the status it wrote.
func (c *cluster) translate() {
	out := c.withFleets(gatewayapi.Translate(c.res, c.opts))
	replace(c.res.GatewayClasses, out.GatewayClasses)
	replace(c.res.HTTPRoutes, out.HTTPRoutes)
	replace(c.res.GRPCRoutes, out.GRPCRoutes)
	replace(c.res.TLSRoutes, out.TLSRoutes)
	replace(c.res.TCPRoutes, out.TCPRoutes)
	replace(c.res.UDPRoutes, out.UDPRoutes)
	replace(c.res.BackendTLSPolicies, out.BackendTLSPolicies)
	replace(c.res.Gateways, out.Gateways)
}

func replace[T client.Object](dst []T, src []T) {
	for _, s := range src {
		for i, d := range dst {
			if client.ObjectKeyFromObject(d) == client.ObjectKeyFromObject(s) {
				dst[i] = s
			}
		}
	}
}

func (c *cluster) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch o := obj.(type) {
	case *gwapiv1.GatewayClass:
		return copyFound(find(c.res.GatewayClasses, key), o, "gatewayclasses", key)
	case *gwapiv1.Gateway:
		return copyFound(find(c.res.Gateways, key), o, "gateways", key)
	case *gwapiv1.HTTPRoute:
		return copyFound(find(c.res.HTTPRoutes, key), o, "httproutes", key)
	case *gwapiv1.GRPCRoute:
		return copyFound(find(c.res.GRPCRoutes, key), o, "grpcroutes", key)
	case *gwapiv1.TLSRoute:
		return copyFound(find(c.res.TLSRoutes, key), o, "tlsroutes", key)
	case *gwapiv1.TCPRoute:
		return copyFound(find(c.res.TCPRoutes, key), o, "tcproutes", key)
	case *gwapiv1.UDPRoute:
		return copyFound(find(c.res.UDPRoutes, key), o, "udproutes", key)
	case *gwapiv1.BackendTLSPolicy:
		return copyFound(find(c.res.BackendTLSPolicies, key), o, "backendtlspolicies", key)
	}
	return fmt.Errorf("cluster: Get of %T is not supported", obj)
}

func find[T client.Object](objs []T, key client.ObjectKey) T {
	var zero T
	for _, o := range objs {
		if client.ObjectKeyFromObject(o) == key {
			return o
		}
	}
	return zero
}

type deepCopier[T any] interface {
	client.Object
	DeepCopyInto(T)
}

func copyFound[T deepCopier[T]](found T, into T, resource string, key client.ObjectKey) error {
	if reflect.ValueOf(found).IsNil() {
		return apierrors.NewNotFound(schema.GroupResource{Group: gwapiv1.GroupName, Resource: resource}, key.Name)
	}
	found.DeepCopyInto(into)
	return nil
}

func (c *cluster) List(_ context.Context, list client.ObjectList, opts ...client.ListOption) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	lo := (&client.ListOptions{}).ApplyOptions(opts)
	switch l := list.(type) {
	case *gwapiv1.GatewayList:
		for _, g := range c.res.Gateways {
			if lo.Namespace == "" || g.Namespace == lo.Namespace {
				l.Items = append(l.Items, *g.DeepCopy())
			}
		}
		return nil
	case *corev1.PodList:
		// Backend workloads are outside the translator; report them up so
		// that "namespace ready" waits only on the Gateways' status.
		l.Items = []corev1.Pod{{
			ObjectMeta: metav1.ObjectMeta{Name: "backend", Namespace: lo.Namespace},
			Status:     corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
		}}
		return nil
	}
	return fmt.Errorf("cluster: List of %T is not supported", list)
}

// Patch takes the patched object whole (the helpers always send the full
// object), bumps metadata.generation when the spec changed, as the API
// server does, and re-translates.
func (c *cluster) Patch(_ context.Context, obj client.Object, _ client.Patch, _ ...client.PatchOption) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := client.ObjectKeyFromObject(obj)
	switch o := obj.(type) {
	case *gwapiv1.GatewayClass:
		patchSpec(find(c.res.GatewayClasses, key), o, func(x *gwapiv1.GatewayClass) any { return &x.Spec })
	case *gwapiv1.Gateway:
		patchSpec(find(c.res.Gateways, key), o, func(x *gwapiv1.Gateway) any { return &x.Spec })
	case *gwapiv1.HTTPRoute:
		patchSpec(find(c.res.HTTPRoutes, key), o, func(x *gwapiv1.HTTPRoute) any { return &x.Spec })
	case *gwapiv1.GRPCRoute:
		patchSpec(find(c.res.GRPCRoutes, key), o, func(x *gwapiv1.GRPCRoute) any { return &x.Spec })
	case *gwapiv1.BackendTLSPolicy:
		patchSpec(find(c.res.BackendTLSPolicies, key), o, func(x *gwapiv1.BackendTLSPolicy) any { return &x.Spec })
	default:
		return fmt.Errorf("cluster: Patch of %T is not supported", obj)
	}
	c.translate()
	return nil
}

func patchSpec[T client.Object](stored, patched T, spec func(T) any) {
	if reflect.ValueOf(stored).IsNil() {
		return
	}
	if !reflect.DeepEqual(spec(stored), spec(patched)) {
		reflect.ValueOf(spec(stored)).Elem().Set(reflect.ValueOf(spec(patched)).Elem())
		stored.SetGeneration(stored.GetGeneration() + 1)
	}
}
