// Package e2e runs the whole control plane in-process on loopback: the Path
// Watcher reads manifests from a temp directory, the translators turn them
// into xDS, and grpc-go's xDS client (a real client that NACKs what it
// cannot use) routes real RPCs to real backends by the routes it was sent.
package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/testutil/xdsclient"
)

const infra = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: eg
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: eg
  namespace: default
spec:
  gatewayClassName: eg
  listeners:
  - name: http
    protocol: HTTP
    port: 8080
`

func backendYAML(name string, host string, port uint32) string {
	return fmt.Sprintf(`apiVersion: envoygateway.dev/v1alpha1
kind: Backend
metadata:
  name: %s
  namespace: default
spec:
  endpoints:
  - address: %s:%d
`, name, host, port)
}

// routeYAML sends UnaryCall to b, calls carrying x-pick: c to c, and the
// rest to a and b by weight.
func routeYAML(weightA, weightB int) string {
	return fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: api
  namespace: default
spec:
  parentRefs:
  - name: eg
  hostnames: ["api.example.com"]
  rules:
  - matches:
    - path: {type: Exact, value: /grpc.testing.TestService/UnaryCall}
    backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: b}
  - matches:
    - headers:
      - {name: x-pick, value: c}
    backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: c}
  - backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: a, weight: %d}
    - {group: envoygateway.dev, kind: Backend, name: b, weight: %d}
`, weightA, weightB)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	// Write then rename, as editors and config management tools do.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestRoutesFromWatchedDirectoryReachBackends(t *testing.T) {
	dir := t.TempDir()
	var backends strings.Builder
	for _, name := range []string{"a", "b", "c"} {
		host, port := xdsclient.StartBackend(t, name)
		backends.WriteString("---\n" + backendYAML(name, host, port))
	}
	write(t, filepath.Join(dir, "infra.yaml"), infra)
	write(t, filepath.Join(dir, "backends.yaml"), backends.String())
	routes := filepath.Join(dir, "routes.yaml")
	write(t, routes, routeYAML(50, 50))

	cp := startControlPlane(t, watching(dir))
	m, logs := cp.Manager, cp.logs

	c := xdsclient.Dial(t, m.XDSAddr().String(), "eg", "e2e-client", "http-8080", grpc.WithAuthority("api.example.com"))

	t.Run("by path", func(t *testing.T) {
		xdsclient.WantBackend(t, c, "UnaryCall", "b")
	})
	t.Run("by header", func(t *testing.T) {
		xdsclient.WantBackend(t, c, "EmptyCall", "c", "x-pick", "c")
	})
	t.Run("by weight", func(t *testing.T) {
		seen := xdsclient.Spread(c, "EmptyCall", 200)
		// 50/50 over 200 calls: fewer than 40 on either side is far outside
		// chance, so this cannot flake, yet a route ignoring weights fails.
		if seen["a"] < 40 || seen["b"] < 40 || seen["error"] > 0 {
			t.Fatalf("spread %v, want both a and b at least 40 of 200 and no errors", seen)
		}
	})
	t.Run("an edited file takes effect", func(t *testing.T) {
		write(t, routes, routeYAML(100, 0))
		xdsclient.WantBackend(t, c, "EmptyCall", "a")
	})
	t.Run("a broken file keeps the last good config", func(t *testing.T) {
		// Invalid per the CRD's CEL rules: a PathPrefix must start with "/".
		broken := strings.Replace(routeYAML(0, 100), "{type: Exact, value: /grpc.testing.TestService/UnaryCall}", "{type: PathPrefix, value: nope}", 1)
		write(t, routes, broken)
		xdsclient.Eventually(t, "the watcher reports the broken file", func() error {
			if !logs.contains("routes.yaml") || !logs.contains("spec.rules[0].matches[0].path") {
				return fmt.Errorf("no report naming the file and field yet")
			}
			return nil
		})
		// The weights in the broken file (all to b) must not apply.
		if seen := xdsclient.Spread(c, "EmptyCall", 50); seen["a"] != 50 {
			t.Fatalf("after a broken edit calls went %v, want all 50 to a (last good config)", seen)
		}
		xdsclient.WantBackend(t, c, "UnaryCall", "b")

		// Mending the file resumes updates.
		write(t, routes, routeYAML(0, 100))
		xdsclient.WantBackend(t, c, "EmptyCall", "b")
	})
}
