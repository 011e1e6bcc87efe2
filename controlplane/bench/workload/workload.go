// Package workload generates the benchmarks' input: a deterministic, seeded
// set of Gateway API resources of any size. It is its own small package so
// that the Go benchmarks beside each translator can use it without linking
// the rest of the benchmark harness.
package workload

import (
	"fmt"
	"math/rand/v2"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// Fleet is the GatewayClass every generated Gateway belongs to: one fleet
// holding every route is the worst case for a one-route change.
const Fleet = "bench"

// Shape of the generated workload. Constants, not options: comparable runs
// need the same shape.
const (
	namespaces = 10
	// teamGateways are the "several Gateways", each with its own port and
	// wildcard hostname; the rest of the routes share one Gateway.
	teamGateways = 4
	sharedPort   = 80
	teamPortBase = 8000
	// routesPerBackend: backends are shared, as services are in practice.
	routesPerBackend = 2
	// routesPerSharedHost: several routes (teams) share one hostname.
	routesPerSharedHost = 3
)

// Workload is a generated set of resources and how it was made.
type Workload struct {
	Routes    int
	Seed      uint64
	Resources *resource.Resources
}

// Generate builds n HTTPRoutes with their Gateways, Backends and Services.
// The same n and seed always give the same objects.
func Generate(n int, seed uint64) *Workload {
	g := &generator{rng: rand.New(rand.NewPCG(seed, uint64(n))), n: n, res: &resource.Resources{}}
	g.infrastructure()
	for i := range n {
		g.route(i)
	}
	return &Workload{Routes: n, Seed: seed, Resources: g.res}
}

type generator struct {
	rng *rand.Rand
	n   int
	res *resource.Resources
}

func nsOf(i int) string { return fmt.Sprintf("ns-%d", i%namespaces) }

func (g *generator) infrastructure() {
	g.res.GatewayClasses = []*gwapiv1.GatewayClass{{
		TypeMeta:   typeMeta("gateway.networking.k8s.io/v1", resource.KindGatewayClass),
		ObjectMeta: metav1.ObjectMeta{Name: Fleet},
		Spec:       gwapiv1.GatewayClassSpec{ControllerName: resource.DefaultControllerName},
	}}
	for i := range namespaces {
		g.res.Namespaces = append(g.res.Namespaces, &corev1.Namespace{
			TypeMeta:   typeMeta("v1", resource.KindNamespace),
			ObjectMeta: metav1.ObjectMeta{Name: nsOf(i)},
		})
	}
	g.res.Gateways = append(g.res.Gateways, gateway("shared", sharedPort, ""))
	for t := range teamGateways {
		g.res.Gateways = append(g.res.Gateways, gateway(fmt.Sprintf("team-%d", t), teamPortBase+uint32(t), fmt.Sprintf("*.team-%d.example.com", t)))
	}
	backends := max(1, g.n/routesPerBackend)
	for b := range backends {
		g.backend(b)
	}
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func gateway(name string, port uint32, hostname string) *gwapiv1.Gateway {
	all := gwapiv1.NamespacesFromAll
	l := gwapiv1.Listener{
		Name: "http", Port: gwapiv1.PortNumber(port), Protocol: gwapiv1.HTTPProtocolType,
		AllowedRoutes: &gwapiv1.AllowedRoutes{Namespaces: &gwapiv1.RouteNamespaces{From: &all}},
	}
	if hostname != "" {
		h := gwapiv1.Hostname(hostname)
		l.Hostname = &h
	}
	return &gwapiv1.Gateway{
		TypeMeta:   typeMeta("gateway.networking.k8s.io/v1", resource.KindGateway),
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       gwapiv1.GatewaySpec{GatewayClassName: Fleet, Listeners: []gwapiv1.Listener{l}},
	}
}

// backend b is a Backend (two thirds) or a Service with an EndpointSlice,
// named after its index, in namespace b%namespaces.
func (g *generator) backend(b int) {
	ns, name := nsOf(b), fmt.Sprintf("be-%d", b)
	ip := func(k int) string { return fmt.Sprintf("10.%d.%d.%d", 1+k, b/250%250, b%250+1) }
	if b%3 != 2 {
		be := &resource.Backend{
			TypeMeta:   typeMeta(resource.APIVersion, resource.KindBackend),
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		}
		for k := range 1 + g.rng.IntN(3) {
			be.Spec.Endpoints = append(be.Spec.Endpoints, resource.BackendEndpoint{Address: ip(k) + ":8080"})
		}
		g.res.Backends = append(g.res.Backends, be)
		return
	}
	portName := "http"
	g.res.Services = append(g.res.Services, &corev1.Service{
		TypeMeta:   typeMeta("v1", resource.KindService),
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: portName, Port: 80}}},
	})
	ready, port, proto := true, int32(8080), corev1.ProtocolTCP
	es := &discoveryv1.EndpointSlice{
		TypeMeta: typeMeta("discovery.k8s.io/v1", resource.KindEndpointSlice),
		ObjectMeta: metav1.ObjectMeta{Name: name + "-1", Namespace: ns,
			Labels: map[string]string{discoveryv1.LabelServiceName: name}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: &portName, Port: &port, Protocol: &proto}},
	}
	for k := range 1 + g.rng.IntN(3) {
		es.Endpoints = append(es.Endpoints, discoveryv1.Endpoint{Addresses: []string{ip(k)},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready}})
	}
	g.res.EndpointSlices = append(g.res.EndpointSlices, es)
}

// route i lives in namespace i%namespaces. Three in five attach to the
// shared Gateway, where every three routes share a hostname; the others go
// to one of the team Gateways under its wildcard.
func (g *generator) route(i int) {
	ns := nsOf(i)
	r := &gwapiv1.HTTPRoute{
		TypeMeta:   typeMeta("gateway.networking.k8s.io/v1", resource.KindHTTPRoute),
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("route-%d", i), Namespace: ns},
	}
	gwNS := gwapiv1.Namespace("default")
	parent, host := "shared", fmt.Sprintf("app-%d.example.com", i/routesPerSharedHost)
	if i%5 >= 3 {
		t := i % teamGateways
		parent, host = fmt.Sprintf("team-%d", t), fmt.Sprintf("svc-%d.team-%d.example.com", i/routesPerSharedHost, t)
	}
	r.Spec.ParentRefs = []gwapiv1.ParentReference{{Name: gwapiv1.ObjectName(parent), Namespace: &gwNS}}
	r.Spec.Hostnames = []gwapiv1.Hostname{gwapiv1.Hostname(host)}
	for k := range 1 + g.rng.IntN(3) {
		r.Spec.Rules = append(r.Spec.Rules, g.rule(i, k))
	}
	g.res.HTTPRoutes = append(g.res.HTTPRoutes, r)
}

func (g *generator) rule(i, k int) gwapiv1.HTTPRouteRule {
	pt := gwapiv1.PathMatchPathPrefix
	if g.rng.IntN(4) == 0 {
		pt = gwapiv1.PathMatchExact
	}
	m := gwapiv1.HTTPRouteMatch{Path: &gwapiv1.HTTPPathMatch{Type: &pt, Value: new(fmt.Sprintf("/r%d/api/v%d", i, k+1))}}
	switch x := g.rng.IntN(20); {
	case x < 6:
		m.Headers = []gwapiv1.HTTPHeaderMatch{{Name: "x-canary", Value: "true"}}
	case x < 7:
		re := gwapiv1.HeaderMatchRegularExpression
		m.Headers = []gwapiv1.HTTPHeaderMatch{{Type: &re, Name: "x-user", Value: "^[a-z]+-[0-9]+$"}}
	case x < 9:
		get := gwapiv1.HTTPMethodGet
		m.Method = &get
	}
	rule := gwapiv1.HTTPRouteRule{Matches: []gwapiv1.HTTPRouteMatch{m}}
	refs := 1
	if g.rng.IntN(10) < 3 {
		refs = 2
	}
	weights := []int32{90, 10}
	for j := range refs {
		ref := g.backendRef(i)
		if refs > 1 {
			ref.Weight = &weights[j]
		}
		rule.BackendRefs = append(rule.BackendRefs, gwapiv1.HTTPBackendRef{BackendRef: ref})
	}
	return rule
}

// backendRef picks a backend in route i's namespace, so no ReferenceGrant
// is needed.
func (g *generator) backendRef(i int) gwapiv1.BackendRef {
	backends := max(1, g.n/routesPerBackend)
	j := g.rng.IntN(backends)
	b := j - j%namespaces + i%namespaces
	for b >= backends && b >= namespaces {
		b -= namespaces
	}
	if b >= backends || b%namespaces != i%namespaces {
		b = j // too few backends to keep namespaces apart: a cross-namespace ref is then refused, visibly
	}
	ref := gwapiv1.BackendRef{BackendObjectReference: gwapiv1.BackendObjectReference{Name: gwapiv1.ObjectName(fmt.Sprintf("be-%d", b))}}
	if b%3 != 2 {
		group, kind := gwapiv1.Group(resource.Group), gwapiv1.Kind(resource.KindBackend)
		ref.Group, ref.Kind = &group, &kind
	} else {
		ref.Port = new(gwapiv1.PortNumber(80))
	}
	return ref
}

// Change returns res with one route edited: the route picked by k (spread
// over the listeners) gets a new path on its first rule, so that exactly one
// route of the IR, and one RDS resource, changes. Unchanged objects are
// shared with res, as a config source shares them between snapshots; res
// itself is not modified.
func Change(res *resource.Resources, k int) *resource.Resources {
	out := *res
	out.HTTPRoutes = append([]*gwapiv1.HTTPRoute(nil), res.HTTPRoutes...)
	i := k * 7919 % len(out.HTTPRoutes)
	r := out.HTTPRoutes[i].DeepCopy()
	r.Spec.Rules[0].Matches[0].Path.Value = new(fmt.Sprintf("/r%d/changed/%d", i, k))
	out.HTTPRoutes[i] = r
	return &out
}
