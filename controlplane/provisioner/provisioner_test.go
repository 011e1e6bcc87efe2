package provisioner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	xdsserver "github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/server"
)

func manifests(replicas string, withClass bool) string {
	s := `
apiVersion: envoygateway.dev/v1alpha1
kind: EnvoyFleet
metadata: {name: local}
spec:
  module: {source: ./modules/local}
  replicas: ` + replicas + `
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: default}
spec:
  gatewayClassName: eg
  infrastructure:
    labels: {team: edge}
    annotations: {example.com/owner: "${not-a-template}"}
  listeners:
  - {name: http, port: 8080, protocol: HTTP}
`
	if withClass {
		s += `---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: envoygateway.dev, kind: EnvoyFleet, name: local}
`
	}
	return s
}

func decode(t *testing.T, s string) *resource.Resources {
	t.Helper()
	res, _, errs := resource.Decode([]byte(s), "test.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return res
}

// The whole path with the real Terraform CLI and modules/local: a class
// with an EnvoyFleet of 2 replicas gets two proxy processes (probes) that
// connect with the class's node cluster and receive its listeners; the
// Gateway gets its address and Programmed=True; each proxy's metadata file
// holds the Gateway's infrastructure labels and annotations. Replicas 1
// stops one (and removes its metadata file);
// deleting the class destroys the fleet and removes its directory.
func TestLocalFleetLifecycle(t *testing.T) {
	dataDir := t.TempDir()
	killProxies(t, dataDir)
	srv, xdsAddr := serveXDS(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	resources := message.NewMap[string, *resource.Resources]("resources")
	xdsIR := message.NewMap[string, *ir.Xds]("xds-ir")
	raw := message.NewTopic[*gatewayapi.Result]("raw-status")
	infra := message.NewMap[string, *ir.Infra]("infra")
	connected := message.NewMap[string, int]("connected")
	status := message.NewTopic[*gatewayapi.Result]("status")

	gw := &gatewayapi.Runner{Resources: resources, XdsIR: xdsIR, Status: raw,
		Options: gatewayapi.Options{RequireParametersRef: true}}
	go gw.Run(ctx)
	go xdsserver.Run(ctx, nil, srv, xdsIR)
	go gatewayapi.PublishInfra(ctx, raw, infra)
	h := startProvisioner(t, Config{DataDir: dataDir, ModuleRoot: repoRoot(t), XDSAddress: xdsAddr,
		ProxyCommand: probeCommand(t), Infra: infra})
	go WatchConnections(ctx, srv.ConnectedProxies, h.states, connected, 50*time.Millisecond)
	merger := &gatewayapi.FleetStatusMerger{In: raw, Fleets: h.states, Connected: connected, Out: status}
	go merger.Run(ctx)

	resources.Store("test", decode(t, manifests("2", true)))
	waitFor(t, "Gateway Programmed=True", func() bool {
		g := gateway(status)
		c := condition(g, "Programmed")
		return c != nil && c.Status == metav1.ConditionTrue && len(g.Status.Addresses) == 1
	})
	g := gateway(status)
	if a := g.Status.Addresses[0]; a.Value != "127.0.0.1" || *a.Type != gwapiv1.IPAddressType {
		t.Errorf("address %+v", a)
	}
	if n := len(proxies(t, dataDir)); n != 2 {
		t.Errorf("%d proxy processes, want 2", n)
	}
	waitFor(t, "2 proxies connected", func() bool { return srv.ConnectedProxies("eg") == 2 })
	runDir := filepath.Join(FleetDir(dataDir, "eg"), "run")
	for _, log := range []string{"eg-0.log", "eg-1.log"} {
		waitFor(t, log+" to show the Gateway's listener", func() bool {
			data, _ := os.ReadFile(filepath.Join(runDir, log))
			return strings.Contains(string(data), "cluster=eg") && strings.Contains(string(data), "listeners=[http-8080]")
		})
	}
	main, err := os.ReadFile(filepath.Join(FleetDir(dataDir, "eg"), rootFile))
	if err != nil || !strings.Contains(string(main), `"ports": [`) || !strings.Contains(string(main), "cluster: eg") {
		t.Errorf("main.tf.json lacks ports or the bootstrap's node cluster: %v\n%s", err, main)
	}

	for _, f := range []string{"eg-0.metadata.json", "eg-1.metadata.json"} {
		data, err := os.ReadFile(filepath.Join(runDir, f))
		var m Metadata
		if err == nil {
			err = json.Unmarshal(data, &m)
		}
		if err != nil || m.Labels["team"] != "edge" || m.Annotations["example.com/owner"] != "${not-a-template}" {
			t.Errorf("%s: %v %+v", f, err, m)
		}
	}

	resources.Store("test", decode(t, manifests("1", true)))
	waitFor(t, "one proxy process", func() bool { return len(proxies(t, dataDir)) == 1 })
	if _, err := os.Stat(filepath.Join(runDir, "eg-1.metadata.json")); !os.IsNotExist(err) {
		t.Errorf("the stopped replica's metadata file is left: %v", err)
	}
	waitFor(t, "1 proxy connected", func() bool { return srv.ConnectedProxies("eg") == 1 })
	waitFor(t, "fleet ready again", func() bool { s := h.state("eg"); return s != nil && s.Applied })

	resources.Store("test", decode(t, manifests("1", false)))
	waitFor(t, "fleet state removed", func() bool { return h.state("eg") == nil })
	if _, err := os.Stat(FleetDir(dataDir, "eg")); !os.IsNotExist(err) {
		t.Errorf("working directory left after destroy: %v", err)
	}
	if n := len(proxies(t, dataDir)); n != 0 {
		t.Errorf("%d proxy processes left after destroy", n)
	}
}

func gateway(status *message.Topic[*gatewayapi.Result]) *gwapiv1.Gateway {
	r, ok := status.Load()
	if !ok {
		return nil
	}
	for _, g := range r.Gateways {
		if g.Name == "web" {
			return g
		}
	}
	return nil
}

func condition(g *gwapiv1.Gateway, typ string) *metav1.Condition {
	if g == nil {
		return nil
	}
	for i := range g.Status.Conditions {
		if g.Status.Conditions[i].Type == typ {
			return &g.Status.Conditions[i]
		}
	}
	return nil
}
