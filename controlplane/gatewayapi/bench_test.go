package gatewayapi

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// benchResources is n routes, each with its own hostname, four matches and
// its own Service, on one Gateway: the shape of a large shared ingress.
func benchResources(n int) *resource.Resources {
	res := &resource.Resources{
		GatewayClasses: []*gwapiv1.GatewayClass{class("eg")},
		Gateways: []*gwapiv1.Gateway{gateway("gw", 1, listener("http", 80, gwapiv1.HTTPProtocolType),
			gwapiv1.Listener{Name: "wild", Port: 80, Protocol: gwapiv1.HTTPProtocolType, Hostname: new(gwapiv1.Hostname("*.example.com"))})},
	}
	for i := range n {
		name := fmt.Sprintf("app-%d", i)
		res.Services = append(res.Services, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Spec:       corev1.ServiceSpec{ClusterIP: fmt.Sprintf("10.96.%d.%d", i/250, i%250+1), Ports: []corev1.ServicePort{{Port: 8080}}},
		})
		var matches []gwapiv1.HTTPRouteMatch
		for _, p := range []string{"/", "/api", "/api/v1", "/static"} {
			matches = append(matches, gwapiv1.HTTPRouteMatch{Path: &gwapiv1.HTTPPathMatch{Value: new(p)}})
		}
		res.HTTPRoutes = append(res.HTTPRoutes, &gwapiv1.HTTPRoute{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Spec: gwapiv1.HTTPRouteSpec{
				CommonRouteSpec: gwapiv1.CommonRouteSpec{ParentRefs: []gwapiv1.ParentReference{{Name: "gw"}}},
				Hostnames:       []gwapiv1.Hostname{gwapiv1.Hostname(name + ".example.com")},
				Rules: []gwapiv1.HTTPRouteRule{{Matches: matches, BackendRefs: []gwapiv1.HTTPBackendRef{{BackendRef: gwapiv1.BackendRef{
					BackendObjectReference: gwapiv1.BackendObjectReference{Name: gwapiv1.ObjectName(name), Port: new(gwapiv1.PortNumber(8080))},
				}}}}},
			},
		})
	}
	return res
}

func BenchmarkTranslate(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		res := benchResources(n)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			for b.Loop() {
				Translate(res, Options{Now: fixedNow})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e3, "µs/route")
		})
	}
}
