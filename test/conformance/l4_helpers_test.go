package conformance_test

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/gateway-api/conformance/utils/suite"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/xdseval"
)

// The GATEWAY-TLS, -TCP and -UDP tests dial the Gateway's address
// themselves (tls.Dialer, net.Dialer, dns.Exchange), past the suite's
// RoundTripper, so they cannot run: the harness's Gateway addresses are
// TEST-NET-1 and must never be dialled. Their status steps are repeated
// with the same helpers and arguments, and each connection they make is
// followed through the xDS the Gateway's fleet is served
// (xdseval.Connect): the chain the SNI selects, whether TLS ends there,
// and the backend pods the TCP or UDP proxy's clusters lead to.

// l4Suite is the traffic suite of an upstream test: its backends have
// echo pods with endpoints, and the xDS answers for each Gateway address.
func l4Suite(t *testing.T, name string) (*suite.ConformanceTestSuite, *xdsRoundTripper) {
	t.Helper()
	s := newTrafficSuite(t, upstream(t, name))
	return s, s.RoundTripper.(*xdsRoundTripper)
}

// connect follows a connection to gwAddr ("host:port", as the upstream
// helpers return it) through the fleet's xDS.
func connect(rt *xdsRoundTripper, gwAddr string, udp bool, sni string) (*xdseval.Forward, error) {
	host, p, err := net.SplitHostPort(gwAddr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return nil, err
	}
	proxy, err := rt.proxy(host)
	if err != nil {
		return nil, err
	}
	c := xdseval.Conn{Port: uint32(port), UDP: udp}
	if sni != "" {
		c.TLS = &xdseval.ClientTLS{ServerName: sni}
	}
	return proxy.Connect(c)
}

// reachedPods are the echo pods, "namespace/name", the forward's
// connections reach, with the fraction of connections each gets (a
// cluster's share, spread evenly over its endpoints). A share whose
// cluster has no endpoint, or an endpoint that is not an echo pod's port
// of the right protocol, is an error: those connections would be closed
// or fail. backendTLS: the bytes reaching the pod are a TLS handshake
// (the client's, passed through), so its port must answer TLS, and else
// not.
func reachedPods(rt *xdsRoundTripper, f *xdseval.Forward, udp, backendTLS bool) (map[string]float64, error) {
	out := map[string]float64{}
	for _, s := range f.Split {
		if s.Weight == 0 {
			continue
		}
		if len(s.Endpoints) == 0 {
			return nil, fmt.Errorf("cluster %q (%d of %d connections) has no endpoint: those connections are closed", s.Cluster, s.Weight, f.Total)
		}
		for _, ep := range s.Endpoints {
			r, port, err := rt.pods.replicaAt(ep, udp)
			if err != nil {
				return nil, fmt.Errorf("cluster %q: %w", s.Cluster, err)
			}
			if port.tls != backendTLS {
				return nil, fmt.Errorf("cluster %q: endpoint %s speaks TLS = %v, but the bytes it gets are TLS = %v", s.Cluster, ep, port.tls, backendTLS)
			}
			out[r.namespace+"/"+r.name] += float64(s.Weight) / float64(f.Total) / float64(len(s.Endpoints))
		}
	}
	return out, nil
}

// replicaAt is the echo pod behind endpoint "ip:port", which must be a
// port it serves over TCP (udp false) or UDP.
func (e *echoPods) replicaAt(endpoint string, udp bool) (replica, echoPort, error) {
	host, p, err := net.SplitHostPort(endpoint)
	if err != nil {
		return replica{}, echoPort{}, err
	}
	for _, r := range e.replicas {
		if r.ip != host {
			continue
		}
		for _, ep := range echoPorts(r) {
			if ep.port == p && ep.udp == udp {
				return r, ep, nil
			}
		}
		return replica{}, echoPort{}, fmt.Errorf("endpoint %s: pod %s/%s serves no %s port %s", endpoint, r.namespace, r.name, map[bool]string{false: "TCP", true: "UDP"}[udp], p)
	}
	return replica{}, echoPort{}, fmt.Errorf("endpoint %s is no echo pod", endpoint)
}

// echoPort is a port echo-basic serves.
type echoPort struct {
	port     string
	udp, tls bool
}

// echoPorts are the ports the pod serves: echo-basic's in the mode its
// environment picks (echo-basic.go main, tcpserver, udpechoserver), with
// their defaults, since the manifests declare no container ports; and
// the DNS port of the coredns pod UDPRoute queries (its Corefile, in
// base/manifests.yaml, serves ".:53").
func echoPorts(r replica) []echoPort {
	env := map[string]string{}
	for _, c := range r.spec.Containers {
		if strings.Contains(c.Image, "/coredns/coredns:") {
			return []echoPort{{port: "53", udp: true}, {port: "53"}}
		}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
	}
	get := func(k, def string) string {
		if v := env[k]; v != "" {
			return v
		}
		return def
	}
	switch {
	case env["GRPC_ECHO_SERVER"] != "":
		return []echoPort{{port: get("HTTP_PORT", "3000")}, {port: get("HTTPS_PORT", "8443"), tls: true}}
	case env["TCP_ECHO_SERVER"] != "":
		return []echoPort{{port: get("TCP_PORT", "3000")}, {port: get("TLS_PORT", "8443"), tls: true}}
	case env["UDP_ECHO_SERVER"] != "":
		return []echoPort{{port: get("UDP_PORT", "8080"), udp: true}}
	}
	return []echoPort{{port: get("HTTP_PORT", "3000")}, {port: get("H2C_PORT", "3001")}, {port: get("HTTPS_PORT", "8443"), tls: true}}
}

// backendShares sums reachedPods per Deployment (the pod name's prefix up
// to the replica suffix), as the upstream tests name backends.
func backendShares(pods map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for p, w := range pods {
		ns, name, _ := strings.Cut(p, "/")
		i := strings.LastIndex(name, "-")
		if j := strings.LastIndex(name[:max(i, 0)], "-"); j > 0 {
			name = name[:j]
		}
		out[ns+"/"+name] += w
	}
	return out
}

// expectBackend is MakeTCPRequestAndExpectEventuallyValidResponse's (and
// the UDP echo's) check on the xDS: every connection reaches a pod of
// backend in ns, and the chain does (tlsTerminated) or does not end TLS.
func expectBackend(t *testing.T, rt *xdsRoundTripper, gwAddr string, udp bool, sni string, tlsTerminated bool, ns, backend string) {
	t.Helper()
	got := backendsReached(t, rt, gwAddr, udp, sni, tlsTerminated)
	if want := ns + "/" + backend; len(got) != 1 || got[want] == 0 {
		t.Errorf("connection to %s (SNI %q) reaches %v, want only %s", gwAddr, sni, got, want)
	}
}

// backendsReached are the Deployments, "namespace/name", connections to
// gwAddr reach, with the fraction each gets.
func backendsReached(t *testing.T, rt *xdsRoundTripper, gwAddr string, udp bool, sni string, tlsTerminated bool) map[string]float64 {
	t.Helper()
	f, err := connect(rt, gwAddr, udp, sni)
	if err != nil {
		t.Fatalf("connection to %s (SNI %q): %v", gwAddr, sni, err)
	}
	if got := f.Certificates != nil; got != tlsTerminated {
		t.Errorf("connection to %s (SNI %q): chain %q terminates TLS = %v, want %v", gwAddr, sni, f.Chain, got, tlsTerminated)
	}
	pods, err := reachedPods(rt, f, udp, sni != "" && !tlsTerminated)
	if err != nil {
		t.Fatalf("connection to %s (SNI %q): %v", gwAddr, sni, err)
	}
	return backendShares(pods)
}

// expectRejected is MakeTLSConnectionAndExpectEventuallyConnectionRejection's
// check: no chain takes the connection, or its every cluster is empty.
func expectRejected(t *testing.T, rt *xdsRoundTripper, gwAddr, sni string) {
	t.Helper()
	f, err := connect(rt, gwAddr, false, sni)
	var ce *xdseval.ConnError
	switch {
	case errors.As(err, &ce):
		return
	case err != nil:
		t.Fatalf("connection to %s (SNI %q): %v", gwAddr, sni, err)
	}
	for _, s := range f.Split {
		if s.Weight > 0 && len(s.Endpoints) > 0 {
			t.Errorf("connection to %s (SNI %q) is taken by chain %q and forwarded to cluster %q, want it rejected", gwAddr, sni, f.Chain, s.Cluster)
		}
	}
}
