package conformance_test

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"sigs.k8s.io/gateway-api/conformance/utils/roundtripper"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// TestUpstreamHTTPThroughEnvoy runs the upstream HTTP tests of
// trafficWhole through a real Envoy: ENVOY_BIN names the binary. Each
// test's fleet gets an Envoy with the project's bootstrap, fed by an
// in-test xDS server with the translator's output moved to loopback; the
// echo pods are real HTTP servers on 127.0.0.1; the suite's requests go
// through upstream's DefaultRoundTripper, dialled to the Envoy.
//
// No Envoy binary can be had on the machines this project is built on
// (NOTES.md), so this path has never run there: the upstream requests are
// evaluated on the translated xDS by TestConformance/UpstreamTrafficOnXDS,
// and the parts of this run that need no Envoy are tested in
// envoy_parts_test.go.
func TestUpstreamHTTPThroughEnvoy(t *testing.T) {
	bin := os.Getenv("ENVOY_BIN")
	if bin == "" {
		t.Skip("ENVOY_BIN not set: no Envoy binary to send the upstream HTTP requests through; " +
			"they are evaluated on the translated xDS by TestConformance/UpstreamTrafficOnXDS")
	}
	for _, name := range trafficWhole {
		t.Run(name, func(t *testing.T) {
			if why, ok := envoyExcluded[name]; ok {
				t.Skip(why)
			}
			ct := upstream(t, name)
			ct.Test(t, newEnvoySuite(t, bin, ct))
		})
	}
}

// envoyExcluded are trafficWhole tests whose client cannot be pointed at
// loopback: upstream's WebSocket dialer and its HTTP/2 transports dial
// the URL's address themselves, ignoring CustomDialContext.
var envoyExcluded = map[string]string{
	"HTTPRouteBackendProtocolWebSocket": "upstream's WebSocket dialer ignores CustomDialContext, so it cannot reach the loopback Envoy",
}

// envoyRun is one upstream test's Envoys: one per fleet, all fed by one
// xDS server that follows the cluster's writes.
type envoyRun struct {
	tc       *trafficCluster
	xds      *testXDS
	backends map[string]string
	fleets   map[string]*loopbackPorts

	mu      sync.Mutex
	version int
}

func newEnvoySuite(t *testing.T, bin string, ct suite.ConformanceTest) *suite.ConformanceTestSuite {
	t.Helper()
	res := loadManifests(t, ct.Manifests...)
	pods := addEchoEndpoints(t, res, ct.Manifests...)
	tc := newTrafficCluster(newCluster(res, gatewayapi.Options{AddressUsable: addressUsable}), pods)
	cs, err := podLogsClientset(pods)
	if err != nil {
		t.Fatal(err)
	}
	run, tcp := startEnvoyRun(t, tc, pods)
	for class, ports := range tcp {
		startEnvoy(t, bin, class, run.xds.addr, run.fleets[class], ports)
	}
	t.Cleanup(func() {
		if n := run.xds.NACKs(); len(n) > 0 {
			t.Errorf("Envoy rejected resources: %v", n)
		}
	})
	dial := &loopbackDialer{fleets: run.fleets, class: func(host string) (string, error) {
		tc.mu.Lock()
		defer tc.mu.Unlock()
		return tc.classAt(host)
	}}
	rt := &envoyRoundTripper{run: run, rt: &roundtripper.DefaultRoundTripper{TimeoutConfig: timeouts(), CustomDialContext: dial.DialContext}}
	return &suite.ConformanceTestSuite{
		Client:            tc,
		Clientset:         cs,
		RoundTripper:      rt,
		TimeoutConfig:     timeouts(),
		ControllerName:    controllerName,
		GatewayClassName:  className,
		SupportedFeatures: declaredFeatures(),
	}
}

// startEnvoyRun serves the echo pods and the cluster's first translation;
// it returns each fleet's TCP Gateway ports. No Envoy is started here.
func startEnvoyRun(t *testing.T, tc *trafficCluster, pods *echoPods) (*envoyRun, map[string][]uint32) {
	t.Helper()
	run := &envoyRun{tc: tc, xds: startTestXDS(t), backends: serveEchoPods(t, pods), fleets: map[string]*loopbackPorts{}, version: -1}
	tcp, err := run.sync()
	if err != nil {
		t.Fatal(err)
	}
	return run, tcp
}

// sync serves the cluster's current translation when it changed since the
// last, and returns each fleet's TCP Gateway ports.
func (run *envoyRun) sync() (map[string][]uint32, error) {
	run.tc.mu.Lock()
	defer run.tc.mu.Unlock()
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.version == run.tc.version {
		return nil, nil
	}
	tcp := map[string][]uint32{}
	for class, x := range gatewayapi.Translate(run.tc.res, run.tc.opts).IR {
		rs, err := translator.Translate(x)
		if err != nil {
			return nil, fmt.Errorf("translate fleet %q: %w", class, err)
		}
		if run.fleets[class] == nil {
			run.fleets[class] = newLoopbackPorts()
		}
		if err := run.xds.set(class, strconv.Itoa(run.tc.version), rs.Envoy, run.fleets[class], run.backends); err != nil {
			return nil, fmt.Errorf("fleet %q: %w", class, err)
		}
		for _, l := range rs.Envoy.Listeners {
			if sa := l.GetAddress().GetSocketAddress(); sa.GetProtocol() == corev3.SocketAddress_TCP {
				tcp[class] = append(tcp[class], sa.GetPortValue())
			}
		}
		sort.Slice(tcp[class], func(i, j int) bool { return tcp[class][i] < tcp[class][j] })
	}
	run.version = run.tc.version
	return tcp, nil
}

// envoyRoundTripper sends each request through upstream's
// DefaultRoundTripper after serving the cluster's latest writes to the
// Envoys (the suite waits for eventual consistency, as with a cluster).
type envoyRoundTripper struct {
	run *envoyRun
	rt  *roundtripper.DefaultRoundTripper
}

func (e *envoyRoundTripper) CaptureRoundTrip(r roundtripper.Request) (*roundtripper.CapturedRequest, *roundtripper.CapturedResponse, error) {
	if r.Protocol == roundtripper.H2Protocol || r.Protocol == roundtripper.H2CPriorKnowledgeProtocol {
		// Upstream's HTTP/2 transports dial the URL's address
		// themselves; it must never be dialled.
		return nil, nil, fmt.Errorf("envoyRoundTripper: protocol %q is not sent: upstream's transport for it ignores CustomDialContext", r.Protocol)
	}
	if _, err := e.run.sync(); err != nil {
		return nil, nil, err
	}
	return e.rt.CaptureRoundTrip(r)
}
