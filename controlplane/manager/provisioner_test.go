package manager

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/provisioner/probe"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/logging"
)

// TestMain lets this test binary stand in for the proxy that modules/local
// starts: no Envoy binary exists on these machines, and the probe is what
// `envoy-gateway probe` runs.
func TestMain(m *testing.M) {
	if os.Getenv("EG_TEST_PROBE") == "1" {
		os.Exit(probe.Main(os.Args[1:]))
	}
	os.Exit(m.Run())
}

const fleetManifests = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: eg
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: envoygateway.dev, kind: EnvoyFleet, name: eg}
---
apiVersion: envoygateway.dev/v1alpha1
kind: EnvoyFleet
metadata:
  name: eg
spec:
  module: {source: ./modules/local}
  replicas: 1
`

const gatewayManifest = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: eg
  namespace: default
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: 18999}
`

// The manager wires translator -> provisioner -> xDS -> status: with the
// real Terraform CLI on modules/local, a Gateway of a provisioned class gets
// the fleet's address and Programmed=True once its proxy connects, the
// admin endpoint reports the fleet, and deleting the class destroys it.
func TestProvisionerWiring(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	classFile := filepath.Join(dir, "class.yaml")
	for name, content := range map[string]string{classFile: fleetManifests, filepath.Join(dir, "gateway.yaml"): gatewayManifest} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig(t, dir)
	cfg.Sources.Server = nil
	cfg.Provisioner.Enabled = true
	cfg.Provisioner.ModuleRoot = root
	cfg.Provisioner.ProxyCommand = "env EG_TEST_PROBE=1 " + self
	m, err := New(cfg, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	waitLong(t, "the Gateway is Programmed with the fleet's address", func() error {
		res, ok := m.Topics().Status.Load()
		if !ok || len(res.Gateways) != 1 {
			return fmt.Errorf("no Gateway status yet")
		}
		gw := res.Gateways[0]
		c := meta.FindStatusCondition(gw.Status.Conditions, string(gwapiv1.GatewayConditionProgrammed))
		if c == nil || c.Status != "True" {
			return fmt.Errorf("Programmed = %+v", c)
		}
		if len(gw.Status.Addresses) == 0 || gw.Status.Addresses[0].Value != "127.0.0.1" {
			return fmt.Errorf("addresses = %+v", gw.Status.Addresses)
		}
		return nil
	})

	fleets := adminFleets(t, m)
	if len(fleets) != 1 || fleets[0].Fleet != "eg" || fleets[0].Phase != ir.FleetReady {
		t.Fatalf("/fleets = %+v, want eg Ready", fleets)
	}

	// Deleting the class destroys the fleet: no proxy is left behind.
	if err := os.Remove(classFile); err != nil {
		t.Fatal(err)
	}
	waitLong(t, "the fleet is destroyed", func() error {
		if f := adminFleets(t, m); len(f) != 0 {
			return fmt.Errorf("fleets %+v", f)
		}
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "fleets", "eg")); !os.IsNotExist(err) {
			return fmt.Errorf("fleet directory still there (%v)", err)
		}
		return nil
	})
}

func adminFleets(t *testing.T, m *Manager) []*ir.FleetState {
	t.Helper()
	resp, err := http.Get("http://" + m.AdminAddr().String() + "/fleets")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []*ir.FleetState
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitLong allows for Terraform runs; it only stops a hung test.
func waitLong(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}
