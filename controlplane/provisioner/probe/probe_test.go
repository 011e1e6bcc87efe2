package probe

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/envoybootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	xdsserver "github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/server"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// hangGuard only stops a hung test.
const hangGuard = 30 * time.Second

func serveXDS(t *testing.T) (*xdsserver.Server, string) {
	t.Helper()
	s := xdsserver.New(nil)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, lis) }()
	t.Cleanup(func() { cancel(); <-done })
	return s, lis.Addr().String()
}

func writeBootstrap(t *testing.T, fleet, addr string) string {
	t.Helper()
	p, err := envoybootstrap.ParamsFor(fleet, addr)
	if err != nil {
		t.Fatal(err)
	}
	b, err := envoybootstrap.Render("", p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bootstrap.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func fleetIR(fleet string) *ir.Xds {
	return &ir.Xds{
		Fleet: fleet,
		Listeners: []*ir.Listener{{Name: "http-8080", Address: "0.0.0.0", Port: 8080, Protocol: ir.ProtocolHTTP,
			VirtualHosts: []*ir.VirtualHost{{Name: "www", Hostname: "*", Routes: []*ir.Route{{
				Name:   "r",
				Match:  ir.Match{PathType: ir.PathPrefix, Path: "/"},
				Action: ir.Action{Forward: &ir.Forward{Backends: []ir.WeightedCluster{{Cluster: "web", Weight: 1}}}},
			}}}}}},
		Clusters: []*ir.Cluster{{Name: "web", Endpoints: []ir.Endpoint{{Host: "10.0.0.1", Port: 80}}}},
	}
}

func TestOnceReportsWhatTheFleetServes(t *testing.T) {
	srv, addr := serveXDS(t)
	rs, err := translator.Translate(fleetIR("eg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetFleet("eg", rs); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	err = Run(ctx, Options{Bootstrap: writeBootstrap(t, "eg", addr), NodeID: "eg-7", Once: true, Timeout: hangGuard, Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	last := lastLine(out.String())
	for _, want := range []string{"node=eg-7", "cluster=eg", "complete=true", "listeners=[http-8080]", "clusters=[web]", "endpoints=[web]", "nacks=0"} {
		if !strings.Contains(last, want) {
			t.Errorf("report %q lacks %q", last, want)
		}
	}
	if !strings.Contains(last, "routes=[") || strings.Contains(last, "routes=[]") {
		t.Errorf("report %q holds no route configuration", last)
	}
}

// A running probe is a connected proxy of its fleet, under its own node id,
// until it is stopped.
func TestProbeCountsAsAConnectedProxy(t *testing.T) {
	srv, addr := serveXDS(t)
	boot := writeBootstrap(t, "eg", addr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	for i := range 2 {
		go func() { done <- Run(ctx, Options{Bootstrap: boot, NodeID: "eg-" + strconv.Itoa(i)}) }()
	}
	waitFor(t, func() bool { return srv.ConnectedProxies("eg") == 2 })
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	waitFor(t, func() bool { return srv.ConnectedProxies("eg") == 0 })
}

func TestOnceFailsWithoutServer(t *testing.T) {
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := lis.Addr().String()
	lis.Close()
	err := Run(context.Background(), Options{Bootstrap: writeBootstrap(t, "eg", addr), Once: true, Timeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("got %v, want an error naming %s", err, addr)
	}
}

func TestLoadBootstrapErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.yaml")
	os.WriteFile(path, []byte("node: {id: x}\n"), 0o600)
	if _, err := LoadBootstrap(path, ""); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want an error naming the file", err)
	}
	if _, err := LoadBootstrap(filepath.Join(t.TempDir(), "missing"), ""); err == nil {
		t.Error("missing file accepted")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
