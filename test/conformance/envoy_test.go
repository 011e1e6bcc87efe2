package conformance_test

import (
	"os"
	"testing"
)

// TestUpstreamHTTPThroughEnvoy is where the upstream HTTP request cases
// run through a real Envoy: ENVOY_BIN names the binary. None can be had on
// the machines this project is built on (see NOTES.md), so the upstream
// requests are answered by the xDS through xdseval instead
// (UpstreamTrafficOnXDS), and this test skips.
//
// Not implemented yet, also where ENVOY_BIN is set: the run needs the
// fleet's listeners moved to 127.0.0.1 and OS-chosen ports (the suite's
// Gateways listen on 80, 443 and 8080 on every address), the project's
// bootstrap against an in-test xDS server, echo handlers on 127.0.0.1
// behind per-pod EndpointSlices, and a RoundTripper that maps Gateway
// ports to the chosen ones.
func TestUpstreamHTTPThroughEnvoy(t *testing.T) {
	bin := os.Getenv("ENVOY_BIN")
	if bin == "" {
		t.Skip("ENVOY_BIN not set: no Envoy binary to send the upstream HTTP requests through; " +
			"they are evaluated on the translated xDS by TestConformance/UpstreamTrafficOnXDS")
	}
	t.Skipf("ENVOY_BIN=%s: running the upstream HTTP requests through a real Envoy is not implemented yet "+
		"(loopback listeners and port mapping are missing); TestConformance/UpstreamTrafficOnXDS evaluates them on the xDS", bin)
}
