package gatewayapi

import (
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

const ours = resource.DefaultControllerName

func class(name string) *gwapiv1.GatewayClass {
	return &gwapiv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: gwapiv1.GatewayClassSpec{ControllerName: ours}}
}

func gateway(name string, created int, listeners ...gwapiv1.Listener) *gwapiv1.Gateway {
	return &gwapiv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", CreationTimestamp: metav1.Unix(int64(created), 0)},
		Spec:       gwapiv1.GatewaySpec{GatewayClassName: "eg", Listeners: listeners},
	}
}

func listener(name string, port int32, proto gwapiv1.ProtocolType) gwapiv1.Listener {
	return gwapiv1.Listener{Name: gwapiv1.SectionName(name), Port: port, Protocol: proto}
}

func listenerStatus(t *testing.T, r *Result, gw, name string) gwapiv1.ListenerStatus {
	t.Helper()
	for _, g := range r.Gateways {
		for _, l := range g.Status.Listeners {
			if g.Name == gw && string(l.Name) == name {
				return l
			}
		}
	}
	t.Fatalf("no status for listener %s/%s", gw, name)
	return gwapiv1.ListenerStatus{}
}

func condOf(cs []metav1.Condition, typ string) metav1.Condition {
	if c := findCondition(cs, typ); c != nil {
		return *c
	}
	return metav1.Condition{}
}

// withProtocol registers a second programmable protocol for the test, the
// way HTTPS or TCP will be, since ProtocolConflict needs two of them.
func withProtocol(t *testing.T, p gwapiv1.ProtocolType) {
	t.Helper()
	protocols[p] = protocolSpec{ir: ir.Protocol(p), kinds: []gwapiv1.RouteGroupKind{routeKind("TCPRoute")}}
	t.Cleanup(func() { delete(protocols, p) })
}

func TestProtocolConflictWithinGateway(t *testing.T) {
	withProtocol(t, gwapiv1.TCPProtocolType)
	res := &resource.Resources{
		GatewayClasses: []*gwapiv1.GatewayClass{class("eg")},
		Gateways: []*gwapiv1.Gateway{gateway("gw", 1,
			listener("http", 80, gwapiv1.HTTPProtocolType),
			listener("tcp", 80, gwapiv1.TCPProtocolType),
			listener("other", 81, gwapiv1.HTTPProtocolType))},
	}
	r := Translate(res, Options{Now: fixedNow})
	for _, name := range []string{"http", "tcp"} {
		c := condOf(listenerStatus(t, r, "gw", name).Conditions, "Conflicted")
		if c.Status != metav1.ConditionTrue || c.Reason != string(gwapiv1.ListenerReasonProtocolConflict) {
			t.Errorf("listener %s: Conflicted = %s/%s, want True/ProtocolConflict", name, c.Status, c.Reason)
		}
	}
	if c := condOf(listenerStatus(t, r, "gw", "other").Conditions, "Accepted"); c.Status != metav1.ConditionTrue {
		t.Errorf("listener other: Accepted = %s/%s, want True", c.Status, c.Reason)
	}
	if ports := listenerPorts(r.IR["eg"]); !reflect.DeepEqual(ports, []uint32{81}) {
		t.Errorf("IR listener ports = %v, want only 81", ports)
	}
}

func TestProtocolConflictAcrossGatewaysOlderWins(t *testing.T) {
	withProtocol(t, gwapiv1.TCPProtocolType)
	res := &resource.Resources{
		GatewayClasses: []*gwapiv1.GatewayClass{class("eg")},
		Gateways: []*gwapiv1.Gateway{
			gateway("newer", 20, listener("tcp", 80, gwapiv1.TCPProtocolType)),
			gateway("older", 10, listener("http", 80, gwapiv1.HTTPProtocolType)),
		},
	}
	r := Translate(res, Options{Now: fixedNow})
	if c := condOf(listenerStatus(t, r, "newer", "tcp").Conditions, "Conflicted"); c.Reason != string(gwapiv1.ListenerReasonProtocolConflict) {
		t.Errorf("newer: Conflicted reason %q, want ProtocolConflict", c.Reason)
	}
	if c := condOf(listenerStatus(t, r, "older", "http").Conditions, "Conflicted"); c.Status != metav1.ConditionFalse {
		t.Errorf("older: Conflicted = %s, want False", c.Status)
	}
	if l := r.IR["eg"].Listeners; len(l) != 1 || l[0].Protocol != ir.ProtocolHTTP {
		t.Errorf("IR listeners = %+v, want the older HTTP one only", l)
	}
}

func listenerPorts(x *ir.Xds) []uint32 {
	var out []uint32
	for _, l := range x.Listeners {
		out = append(out, l.Port)
	}
	return out
}

// The decoder refuses malformed Backend addresses, but Resources can come
// from other sources; the translator must then report the ref, not crash.
func TestBackendWithMalformedAddress(t *testing.T) {
	res := &resource.Resources{
		GatewayClasses: []*gwapiv1.GatewayClass{class("eg")},
		Gateways:       []*gwapiv1.Gateway{gateway("gw", 1, listener("http", 80, gwapiv1.HTTPProtocolType))},
		HTTPRoutes: []*gwapiv1.HTTPRoute{{
			ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "default"},
			Spec: gwapiv1.HTTPRouteSpec{
				CommonRouteSpec: gwapiv1.CommonRouteSpec{ParentRefs: []gwapiv1.ParentReference{{Name: "gw"}}},
				Rules: []gwapiv1.HTTPRouteRule{{BackendRefs: []gwapiv1.HTTPBackendRef{{BackendRef: gwapiv1.BackendRef{
					BackendObjectReference: gwapiv1.BackendObjectReference{
						Group: new(gwapiv1.Group(resource.Group)), Kind: new(gwapiv1.Kind(resource.KindBackend)), Name: "vm"},
				}}}}},
			},
		}},
		Backends: []*resource.Backend{{
			ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "default"},
			Spec:       resource.BackendSpec{Endpoints: []resource.BackendEndpoint{{Address: "10.0.0.1:8080"}, {Address: "no-port"}}},
		}},
	}
	r := Translate(res, Options{Now: fixedNow})
	c := condOf(r.HTTPRoutes[0].Status.Parents[0].Conditions, "ResolvedRefs")
	if c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "spec.endpoints[1].address") {
		t.Errorf("ResolvedRefs = %s %q, want False naming spec.endpoints[1].address", c.Status, c.Message)
	}
	route := r.IR["eg"].Listeners[0].VirtualHosts[0].Routes[0]
	if route.Action.DirectResponse == nil || route.Action.DirectResponse.StatusCode != 500 {
		t.Errorf("action = %+v, want a 500 direct response", route.Action)
	}
}

// Translate works on deep copies: the caller's objects, which other
// components share, must come back unchanged.
func TestTranslateDoesNotModifyInput(t *testing.T) {
	for _, in := range goldenInputs(t) {
		res := loadResources(t, in)
		before := copyResources(res)
		Translate(res, Options{Now: fixedNow})
		if !reflect.DeepEqual(before, res) {
			t.Errorf("%s: Translate modified its input", in)
		}
	}
}

// copyResources copies every kind, so a new kind is covered without
// touching this test.
func copyResources(r *resource.Resources) *resource.Resources {
	return r.DeepCopy()
}

// A later translation of the same objects with status from an earlier one
// keeps every lastTransitionTime: nothing changed, so nothing transitioned.
func TestRetranslationKeepsTransitionTimes(t *testing.T) {
	in := "testdata/httproute-backend-some-invalid.in.yaml"
	first := Translate(loadResources(t, in), Options{Now: fixedNow})
	again := Translate(&resource.Resources{
		GatewayClasses: first.GatewayClasses, Gateways: first.Gateways, HTTPRoutes: first.HTTPRoutes,
		Services: loadResources(t, in).Services,
	}, Options{Now: func() time.Time { return fixedNow().Add(time.Hour) }})
	if !reflect.DeepEqual(first, again) {
		t.Errorf("second translation differs:\n%s", lineDiff(render(t, first), render(t, again)))
	}
}

func TestNilAndEmptyInput(t *testing.T) {
	for _, res := range []*resource.Resources{nil, {}, {GatewayClasses: []*gwapiv1.GatewayClass{nil}, Services: []*corev1.Service{nil}}} {
		r := Translate(res, Options{})
		if len(r.IR) != 0 || len(r.Gateways) != 0 {
			t.Errorf("Translate(%v) = %+v, want empty", res, r)
		}
	}
}
