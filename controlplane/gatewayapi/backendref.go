package gatewayapi

import (
	"cmp"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// refFailure is why one backendRef is invalid: the route's ResolvedRefs
// condition reports the first of them.
type refFailure struct {
	reason gwapiv1.RouteConditionReason
	msg    string
}

func failRef(reason gwapiv1.RouteConditionReason, format string, args ...any) *refFailure {
	return &refFailure{reason: reason, msg: fmt.Sprintf(format, args...)}
}

// resolveBackendRef returns the name of the cluster a backendRef sends to,
// registering the cluster, or why the ref is invalid.
func (t *translator) resolveBackendRef(route metav1.Object, routeKind gwapiv1.Kind, ref gwapiv1.BackendObjectReference, field string) (string, *refFailure) {
	group, kind, ns := "", "Service", route.GetNamespace()
	if ref.Group != nil {
		group = string(*ref.Group)
	}
	if ref.Kind != nil {
		kind = string(*ref.Kind)
	}
	if ref.Namespace != nil && *ref.Namespace != "" {
		ns = string(*ref.Namespace)
	}
	target := nsName{Namespace: ns, Name: string(ref.Name)}
	isService := group == "" && kind == resource.KindService
	isBackend := group == resource.Group && kind == resource.KindBackend
	if !isService && !isBackend {
		return "", failRef(gwapiv1.RouteReasonInvalidKind, "%s: kind %q in group %q is not supported; supported: Service, %s/%s",
			field, kind, group, resource.Group, resource.KindBackend)
	}
	if ns != route.GetNamespace() && !t.grantAllows(routeKind, route.GetNamespace(), ns, group, kind, target.Name) {
		return "", failRef(gwapiv1.RouteReasonRefNotPermitted, "%s: no ReferenceGrant in namespace %q allows %ss in %q to refer to %s %s",
			field, ns, routeKind, route.GetNamespace(), kind, target)
	}
	var proto ir.UpstreamProtocol
	if routeKind == kindGRPCRoute {
		proto = ir.UpstreamHTTP2
	}
	if isBackend {
		return t.backendCluster(target, proto, field)
	}
	return t.serviceCluster(route, target, ref.Port, routeKind, proto, field)
}

// appProtocols are the Gateway API's standard appProtocols (GEP-1911) and
// the upstream protocol HTTP requests take to them. WebSocket needs no
// protocol of its own: the HTTP/1.1 upgrade is forwarded as is. Any
// other appProtocol is left to HTTP/1.1, as the spec allows.
var appProtocols = map[string]ir.UpstreamProtocol{
	"kubernetes.io/h2c": ir.UpstreamHTTP2,
	"kubernetes.io/ws":  "",
}

// appProtocolWSS is WebSocket over TLS: the ws upgrade to a backend that
// a BackendTLSPolicy makes a TLS cluster.
const appProtocolWSS = "kubernetes.io/wss"

// clusterName names a cluster after its backend and protocol, so that one
// Service port reached over HTTP/1.1 and over HTTP/2 is two clusters.
func clusterName(base string, proto ir.UpstreamProtocol) string {
	if proto == ir.UpstreamHTTP2 {
		return base + "/h2c"
	}
	return base
}

// grantAllows reports whether a ReferenceGrant in toNS lets objects of
// fromKind (a Gateway API kind) in fromNS refer to the named object.
func (t *translator) grantAllows(fromKind gwapiv1.Kind, fromNS, toNS, group, kind, name string) bool {
	for _, g := range t.idx.grants[toNS] {
		from := slices.ContainsFunc(g.Spec.From, func(f gwapiv1.ReferenceGrantFrom) bool {
			return f.Group == gwapiv1.GroupName && f.Kind == fromKind && string(f.Namespace) == fromNS
		})
		to := slices.ContainsFunc(g.Spec.To, func(to gwapiv1.ReferenceGrantTo) bool {
			return string(to.Group) == group && string(to.Kind) == kind && (to.Name == nil || *to.Name == "" || string(*to.Name) == name)
		})
		if from && to {
			return true
		}
	}
	return false
}

func (t *translator) serviceCluster(route metav1.Object, target nsName, port *gwapiv1.PortNumber, routeKind gwapiv1.Kind, proto ir.UpstreamProtocol, field string) (string, *refFailure) {
	svc := t.idx.services[target]
	if svc == nil {
		return "", failRef(gwapiv1.RouteReasonBackendNotFound, "%s: Service %s not found", field, target)
	}
	if port == nil {
		return "", failRef(gwapiv1.RouteReasonBackendNotFound, "%s.port: required for a Service", field)
	}
	i := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == *port })
	if i < 0 {
		return "", failRef(gwapiv1.RouteReasonBackendNotFound, "%s.port: Service %s has no port %d", field, target, *port)
	}
	wss := false
	if ap := svc.Spec.Ports[i].AppProtocol; ap != nil && routeKind == kindHTTPRoute {
		if p, ok := appProtocols[*ap]; ok {
			proto = p
		} else if *ap == appProtocolWSS {
			wss = true
		} else if strings.HasPrefix(*ap, "kubernetes.io/") {
			// Future standard names: HTTP/1.1 in the clear would not
			// reach them.
			return "", failRef(gwapiv1.RouteReasonUnsupportedProtocol, "%s.port: Service %s port %d has appProtocol %q, which is not supported",
				field, target, *port, *ap)
		}
	}
	name := clusterName(fmt.Sprintf("service/%s/%s/%d", target.Namespace, target.Name, *port), proto)
	policy := t.tlsPolicyFor(route, routeKind, target, svc.Spec.Ports[i].Name)
	if wss && policy == nil {
		// WebSocket over TLS is the ws upgrade on a TLS cluster; what the
		// TLS must verify comes from a BackendTLSPolicy, and without one
		// the backend cannot be reached safely.
		return "", failRef(gwapiv1.RouteReasonUnsupportedProtocol,
			"%s.port: Service %s port %d has appProtocol %q (WebSocket over TLS): it needs a BackendTLSPolicy for the port, which says how to verify the backend",
			field, target, *port, appProtocolWSS)
	}
	if policy != nil {
		name += "/tls"
	}
	if _, ok := t.clusters[name]; !ok {
		c := &ir.Cluster{Name: name, Protocol: proto, Endpoints: t.serviceEndpoints(svc, svc.Spec.Ports[i])}
		if policy != nil {
			c.TLS = policy.tls
			if c.TLS == nil {
				c.Endpoints = nil
			}
		}
		t.clusters[name] = c
	}
	return name, nil
}

// serviceEndpoints are the ready endpoints of the Service port, taken from
// its EndpointSlices. A Service without EndpointSlices (no cluster feeds
// them) is reached through its ClusterIP or ExternalName instead.
func (t *translator) serviceEndpoints(svc *corev1.Service, sp corev1.ServicePort) []ir.Endpoint {
	slicesOf := t.idx.slices[keyOf(svc)]
	if len(slicesOf) == 0 {
		switch {
		case svc.Spec.Type == corev1.ServiceTypeExternalName && svc.Spec.ExternalName != "":
			return []ir.Endpoint{{Host: svc.Spec.ExternalName, Port: uint32(sp.Port)}}
		case svc.Spec.ClusterIP != "" && svc.Spec.ClusterIP != corev1.ClusterIPNone:
			return []ir.Endpoint{{Host: svc.Spec.ClusterIP, Port: uint32(sp.Port)}}
		}
		return nil
	}
	var out []ir.Endpoint
	for _, es := range slicesOf {
		port, ok := slicePort(es.Ports, sp)
		if !ok {
			continue
		}
		for _, ep := range es.Endpoints {
			if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
				continue
			}
			for _, addr := range ep.Addresses {
				out = append(out, ir.Endpoint{Host: addr, Port: port})
			}
		}
	}
	return sortEndpoints(out)
}

func (t *translator) backendCluster(target nsName, proto ir.UpstreamProtocol, field string) (string, *refFailure) {
	b := t.idx.backends[target]
	if b == nil {
		return "", failRef(gwapiv1.RouteReasonBackendNotFound, "%s: Backend %s not found", field, target)
	}
	var eps []ir.Endpoint
	for i, e := range b.Spec.Endpoints {
		ep, err := parseEndpoint(e.Address)
		if err != nil {
			return "", failRef(gwapiv1.RouteReasonUnsupportedValue, "%s: Backend %s: spec.endpoints[%d].address: %v", field, target, i, err)
		}
		eps = append(eps, ep)
	}
	name := clusterName(fmt.Sprintf("backend/%s/%s", target.Namespace, target.Name), proto)
	t.clusters[name] = &ir.Cluster{Name: name, Protocol: proto, Endpoints: sortEndpoints(eps)}
	return name, nil
}

func parseEndpoint(addr string) (ir.Endpoint, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return ir.Endpoint{}, fmt.Errorf("%q is not host:port: %v", addr, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 || host == "" {
		return ir.Endpoint{}, fmt.Errorf("%q needs a host and a port in 1-65535", addr)
	}
	return ir.Endpoint{Host: host, Port: uint32(port)}, nil
}

func sortEndpoints(eps []ir.Endpoint) []ir.Endpoint {
	slices.SortFunc(eps, func(a, b ir.Endpoint) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Port, b.Port))
	})
	return slices.Compact(eps)
}
