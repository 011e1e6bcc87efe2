package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/testutil/xdsclient"
)

// grpcRouteYAML exercises every GRPCRoute match form. The x-order rules
// tell GRPCRoute precedence from HTTPRoute's: a method-only match is a
// regex and a service-only match a path prefix, so HTTPRoute's order would
// try the method rule first, but GRPCRoute's prefers the longer service.
const grpcRouteYAML = `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: api
  namespace: default
spec:
  parentRefs:
  - name: eg
  hostnames: ["grpc.example.com"]
  rules:
  - matches:
    - method: {service: grpc.testing.TestService, method: UnaryCall}
    backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: b}
  - matches:
    - headers:
      - {name: x-pick, type: RegularExpression, value: "c|cee"}
    backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: c}
  - matches:
    - method: {method: EmptyCall}
      headers:
      - {name: x-order, value: "1"}
    backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: a}
  - matches:
    - method: {service: grpc.testing.TestService}
      headers:
      - {name: x-order, value: "1"}
    backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: c}
  - matches:
    - method: {type: RegularExpression, service: "grpc\\.testing\\..*", method: "Empty.*"}
      headers:
      - {name: x-split, value: "yes"}
    backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: a, weight: 50}
    - {group: envoygateway.dev, kind: Backend, name: b, weight: 50}
  - matches:
    - headers:
      - {name: x-broken, value: "yes"}
    backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: missing}
  - backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: a}
`

// TestGRPCRouteRoutesRealRPCs sends real RPCs through grpc-go's xDS client,
// configured by the control plane from a GRPCRoute.
func TestGRPCRouteRoutesRealRPCs(t *testing.T) {
	dir := t.TempDir()
	var backends strings.Builder
	for _, name := range []string{"a", "b", "c"} {
		host, port := xdsclient.StartBackend(t, name)
		backends.WriteString("---\n" + backendYAML(name, host, port))
	}
	write(t, filepath.Join(dir, "infra.yaml"), infra)
	write(t, filepath.Join(dir, "backends.yaml"), backends.String())
	write(t, filepath.Join(dir, "routes.yaml"), grpcRouteYAML)
	xdsAddr := startControlPlane(t, watching(dir)).XDSAddr().String()

	c := xdsclient.Dial(t, xdsAddr, "eg", "grpcroute-client", "http-8080", grpc.WithAuthority("grpc.example.com"))

	t.Run("exact service and method", func(t *testing.T) {
		xdsclient.WantBackend(t, c, "UnaryCall", "b")
	})
	t.Run("regular expression header", func(t *testing.T) {
		xdsclient.WantBackend(t, c, "EmptyCall", "c", "x-pick", "cee")
	})
	t.Run("longer service wins over a method-only match", func(t *testing.T) {
		xdsclient.WantBackend(t, c, "EmptyCall", "c", "x-order", "1")
	})
	t.Run("exact service and method wins over a header match", func(t *testing.T) {
		xdsclient.WantBackend(t, c, "UnaryCall", "b", "x-pick", "c")
	})
	t.Run("no match condition catches the rest", func(t *testing.T) {
		xdsclient.WantBackend(t, c, "EmptyCall", "a")
	})
	t.Run("regular expression method with weights", func(t *testing.T) {
		seen := xdsclient.Spread(c, "EmptyCall", 200, "x-split", "yes")
		// 50/50 over 200 calls: fewer than 40 on either side is far outside
		// chance, yet a route that ignores the weights fails.
		if seen["a"] < 40 || seen["b"] < 40 || len(seen) != 2 {
			t.Fatalf("spread %v, want only a and b, each at least 40 of 200", seen)
		}
		// UnaryCall does not match "Empty.*", so it keeps its exact route.
		xdsclient.WantBackend(t, c, "UnaryCall", "b", "x-split", "yes")
	})
	t.Run("a rule without a valid backend fails calls with UNAVAILABLE", func(t *testing.T) {
		_, err := xdsclient.Call(context.Background(), c, "EmptyCall", "x-broken", "yes")
		if status.Code(err) != codes.Unavailable {
			t.Fatalf("got %v, want code Unavailable", err)
		}
	})
}
