package conformance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// The parts of TestUpstreamHTTPThroughEnvoy that need no Envoy binary.
// The Envoy process itself (startEnvoy) has never run here.

// envoyTestCluster is the cluster and pods of an upstream test, as the
// Envoy run builds them.
func envoyTestCluster(t *testing.T, name string) (*trafficCluster, *echoPods) {
	t.Helper()
	ct := upstream(t, name)
	res := loadManifests(t, ct.Manifests...)
	pods := addEchoEndpoints(t, res, ct.Manifests...)
	return newTrafficCluster(newCluster(res, gatewayapi.Options{AddressUsable: addressUsable}), pods), pods
}

// fleetResources are the Envoy resources of every fleet (each Gateway of
// the harness has a GatewayClass, hence a fleet, of its own).
func fleetResources(t *testing.T, tc *trafficCluster) map[string]translator.Resources {
	t.Helper()
	out := map[string]translator.Resources{}
	for class, x := range gatewayapi.Translate(tc.res, tc.opts).IR {
		rs, err := translator.Translate(x)
		if err != nil {
			t.Fatal(err)
		}
		out[class] = rs.Envoy
	}
	return out
}

func TestEnvoyLoopbackListeners(t *testing.T) {
	tc, _ := envoyTestCluster(t, "HTTPRouteListenerPortMatching")
	most := 0
	for class, r := range fleetResources(t, tc) {
		checkLoopbackListeners(t, class, r.Listeners)
		most = max(most, len(r.Listeners))
	}
	if most < 2 {
		t.Fatalf("no fleet has two listeners; the test needs one")
	}
}

func checkLoopbackListeners(t *testing.T, class string, orig []*listenerv3.Listener) {
	t.Helper()
	before := make([]*listenerv3.Listener, len(orig))
	for i, l := range orig {
		before[i] = proto.Clone(l).(*listenerv3.Listener)
	}
	lp := newLoopbackPorts()
	got, err := lp.listeners(orig)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(orig) {
		t.Fatalf("fleet %s: %d listeners from %d", class, len(got), len(orig))
	}
	seen := map[uint32]uint32{}
	for i, l := range got {
		sa, gw := l.GetAddress().GetSocketAddress(), orig[i].GetAddress().GetSocketAddress().GetPortValue()
		local, ok := lp.local(gw)
		if sa.GetAddress() != "127.0.0.1" || !ok || sa.GetPortValue() != local || local == 0 {
			t.Errorf("listener %q: at %s:%d, want 127.0.0.1:%d (mapped %v) for Gateway port %d", l.GetName(), sa.GetAddress(), sa.GetPortValue(), local, ok, gw)
		}
		if other, dup := seen[local]; dup && other != gw {
			t.Errorf("local port %d serves Gateway ports %d and %d", local, other, gw)
		}
		seen[local] = gw
		// Nothing but the address may differ.
		back := proto.Clone(l).(*listenerv3.Listener)
		back.Address = orig[i].GetAddress()
		if !proto.Equal(back, orig[i]) {
			t.Errorf("listener %q changed beyond its address", l.GetName())
		}
		if !proto.Equal(orig[i], before[i]) {
			t.Errorf("listener %q: the translator's copy was modified", l.GetName())
		}
	}
	again, err := lp.listeners(orig)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if !proto.Equal(again[i], got[i]) {
			t.Errorf("listener %q moved on the next snapshot", got[i].GetName())
		}
	}
}

func TestEnvoyLoopbackEndpoints(t *testing.T) {
	tc, pods := envoyTestCluster(t, "HTTPRouteWeight")
	backends := serveEchoPods(t, pods)
	var r translator.Resources
	for _, f := range fleetResources(t, tc) {
		r.Endpoints = append(r.Endpoints, f.Endpoints...)
	}
	// An endpoint that is no echo pod must not survive.
	stray := &endpointv3.ClusterLoadAssignment{ClusterName: "stray", Endpoints: []*endpointv3.LocalityLbEndpoints{{
		LbEndpoints: []*endpointv3.LbEndpoint{{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{
			Address: &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
				Address: "203.0.113.7", PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: 3000}}}}}}}}}}}
	r.Endpoints = append(r.Endpoints, stray)
	eps, _ := loopbackEndpoints(r, backends)
	local := map[string]bool{}
	for _, v := range backends {
		local[v] = true
	}
	n := 0
	for i, e := range eps {
		want := 0
		for _, loc := range r.Endpoints[i].GetEndpoints() {
			for _, lb := range loc.GetLbEndpoints() {
				sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
				if _, ok := backends[net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue())))]; ok {
					want++
				}
			}
		}
		got := 0
		for _, loc := range e.GetEndpoints() {
			for _, lb := range loc.GetLbEndpoints() {
				sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
				if addr := net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue()))); !local[addr] {
					t.Errorf("cluster %s: endpoint %s is no loopback echo server", e.GetClusterName(), addr)
				}
				got++
			}
		}
		if got != want {
			t.Errorf("cluster %s: %d endpoints, want the %d echo pods", e.GetClusterName(), got, want)
		}
		n += got
	}
	if n < 3 {
		t.Errorf("only %d endpoints rewritten; HTTPRouteWeight has three backends", n)
	}
}

func TestEnvoyLoopbackDialer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, p, _ := net.SplitHostPort(l.Addr().String())
	port, _ := strconv.Atoi(p)
	lp := newLoopbackPorts()
	lp.ports[80] = uint32(port)
	d := &loopbackDialer{fleets: map[string]*loopbackPorts{"fleet": lp}, class: func(host string) (string, error) {
		switch host {
		case "192.0.2.100":
			return "fleet", nil
		case "192.0.2.101":
			return "other", nil
		}
		return "", &net.AddrError{Err: "no Gateway has this address", Addr: host}
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", "192.0.2.100:80")
	if err != nil {
		t.Fatal(err)
	}
	if c.RemoteAddr().String() != l.Addr().String() {
		t.Errorf("dialled %s, want %s", c.RemoteAddr(), l.Addr())
	}
	c.Close()
	for _, addr := range []string{"192.0.2.100:8080", "192.0.2.101:80", "192.0.2.7:80", "10.244.0.1:3000", "127.0.0.1:80", "nonsense"} {
		if c, err := d.DialContext(ctx, "tcp", addr); err == nil {
			c.Close()
			t.Errorf("dial %s: connected, want refused", addr)
		}
	}
}

func TestEnvoyEchoServers(t *testing.T) {
	_, pods := envoyTestCluster(t, "HTTPRouteSimpleSameNamespace")
	backends := serveEchoPods(t, pods)
	r := pods.replicas[0]
	httpAddr, h2cAddr := backends[net.JoinHostPort(r.ip, echoHTTPPort)], backends[net.JoinHostPort(r.ip, echoH2CPort)]
	if httpAddr == "" || h2cAddr == "" {
		t.Fatalf("pod %s has no servers: %v", r.name, backends)
	}
	req, _ := http.NewRequest(http.MethodPut, "http://"+httpAddr+"/some/path?x=1", nil)
	req.Host = "example.com"
	req.Header.Set("X-Test", "yes")
	var got struct {
		Path, Host, Method, Proto, Namespace, Pod string
		Headers                                   map[string][]string
	}
	resp := do(t, http.DefaultClient, req)
	if err := json.Unmarshal(resp, &got); err != nil {
		t.Fatalf("%v: %s", err, resp)
	}
	if got.Path != "/some/path?x=1" || got.Host != "example.com" || got.Method != http.MethodPut || got.Namespace != r.namespace ||
		got.Pod != r.name || got.Proto != "HTTP/1.1" || strings.Join(got.Headers["X-Test"], ",") != "yes" {
		t.Errorf("echo: %+v; want PUT example.com /some/path?x=1 from %s/%s", got, r.namespace, r.name)
	}
	st, err := http.Get("http://" + httpAddr + "/status/418")
	if err != nil {
		t.Fatal(err)
	}
	st.Body.Close()
	if st.StatusCode != http.StatusTeapot {
		t.Errorf("/status/418: %d", st.StatusCode)
	}
	// The h2c port answers HTTP/2 with prior knowledge, as echo-basic's.
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	req2, _ := http.NewRequest(http.MethodGet, "http://"+h2cAddr+"/h2c", nil)
	if err := json.Unmarshal(do(t, &http.Client{Transport: tr}, req2), &got); err != nil {
		t.Fatal(err)
	}
	if got.Proto != "HTTP/2.0" || got.Pod != r.name {
		t.Errorf("h2c echo: proto %q pod %q", got.Proto, got.Pod)
	}
}

func do(t *testing.T, c *http.Client, req *http.Request) []byte {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %v: %s", req.Method, req.URL, resp.StatusCode, err, b)
	}
	return b
}

// TestEnvoyBootstrapAndXDS: the bootstrap Envoy would start with points at
// the in-test xDS server, and that server hands the bootstrap's node the
// fleet's listeners on loopback, as Envoy would ask for them (wildcard LDS
// over ADS).
func TestEnvoyBootstrapAndXDS(t *testing.T) {
	tc, pods := envoyTestCluster(t, "HTTPRouteSimpleSameNamespace")
	run, tcp := startEnvoyRun(t, tc, pods)
	fleet := fmt.Sprintf("%s-%s-same-namespace", className, infra)
	if len(tcp[fleet]) == 0 {
		t.Fatalf("no TCP listeners for %q: %v", fleet, tcp)
	}
	y, err := envoyBootstrap(fleet, run.xds.addr)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(js, &b); err != nil {
		t.Fatal(err)
	}
	if b.GetNode().GetCluster() != fleet || b.GetNode().GetId() != envoyNodeID(fleet) {
		t.Errorf("node %v, want cluster %q id %q", b.GetNode(), fleet, envoyNodeID(fleet))
	}
	if p := b.GetAdmin().GetAddress().GetSocketAddress(); p.GetAddress() != "127.0.0.1" || p.GetPortValue() != 0 {
		t.Errorf("admin at %s:%d, want 127.0.0.1:0", p.GetAddress(), p.GetPortValue())
	}
	var xdsAddr string
	for _, c := range b.GetStaticResources().GetClusters() {
		if c.GetName() == b.GetDynamicResources().GetAdsConfig().GetGrpcServices()[0].GetEnvoyGrpc().GetClusterName() {
			sa := c.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress().GetSocketAddress()
			xdsAddr = net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue())))
		}
	}
	if xdsAddr != run.xds.addr {
		t.Fatalf("bootstrap's ADS cluster at %q, want the in-test server %q", xdsAddr, run.xds.addr)
	}

	conn, err := grpc.NewClient(xdsAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream, err := discoverygrpc.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&discovery.DiscoveryRequest{Node: b.GetNode(), TypeUrl: resource.ListenerType}); err != nil {
		t.Fatal(err)
	}
	r, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	ports := map[uint32]bool{}
	for _, a := range r.GetResources() {
		var l listenerv3.Listener
		if err := a.UnmarshalTo(&l); err != nil {
			t.Fatal(err)
		}
		sa := l.GetAddress().GetSocketAddress()
		if sa.GetAddress() != "127.0.0.1" {
			t.Errorf("listener %q served at %s", l.GetName(), sa.GetAddress())
		}
		ports[sa.GetPortValue()] = true
	}
	for _, gw := range tcp[fleet] {
		if local, ok := run.fleets[fleet].local(gw); !ok || !ports[local] {
			t.Errorf("Gateway port %d: no listener served on its local port %d (served %v)", gw, local, ports)
		}
	}
}
