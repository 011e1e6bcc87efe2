package provisioner

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/provisioner/probe"
	xdsserver "github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/server"
)

// hangGuard only stops a hung test; no test asserts how long anything takes.
const hangGuard = 90 * time.Second

// TestMain lets the test binary stand in for two programs: the probe (the
// proxy modules/local starts; no Envoy exists here) and a control plane
// process that a test can SIGKILL.
func TestMain(m *testing.M) {
	switch {
	case os.Getenv("EG_TEST_PROBE") == "1":
		os.Exit(probe.Main(os.Args[1:]))
	case os.Getenv("EG_TEST_PROVISIONER") != "":
		os.Exit(provisionerMain(os.Getenv("EG_TEST_PROVISIONER")))
	}
	os.Exit(m.Run())
}

// childConfig is what a control plane child process runs.
type childConfig struct {
	DataDir, ModuleRoot, XDSAddress, ProxyCommand string
	Infra                                         *ir.Infra
}

func provisionerMain(cfgJSON string) int {
	var c childConfig
	if err := json.Unmarshal([]byte(cfgJSON), &c); err != nil {
		return 2
	}
	infra := message.NewMap[string, *ir.Infra]("infra")
	p, err := New(context.Background(), Config{DataDir: c.DataDir, ModuleRoot: c.ModuleRoot, XDSAddress: c.XDSAddress,
		ProxyCommand: c.ProxyCommand, Infra: infra, States: message.NewMap[string, *ir.FleetState]("states"),
		Log: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		return 3
	}
	infra.Store(c.Infra.Fleet, c.Infra)
	p.Run(context.Background())
	return 0
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// probeCommand runs this test binary as the probe.
func probeCommand(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return "env EG_TEST_PROBE=1 " + self
}

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

type harness struct {
	infra  *message.Map[string, *ir.Infra]
	states *message.Map[string, *ir.FleetState]
	cfg    Config
	stop   func()
}

func startProvisioner(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := &harness{infra: message.NewMap[string, *ir.Infra]("infra"), states: message.NewMap[string, *ir.FleetState]("states")}
	if cfg.Infra != nil {
		h.infra = cfg.Infra
	}
	cfg.Infra, cfg.States = h.infra, h.states
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = 200*time.Millisecond, time.Second
	}
	if os.Getenv("PROVISIONER_TEST_LOG") != "" {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	p, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	h.cfg = cfg
	stopped := false
	h.stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(h.stop)
	return h
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (h *harness) state(fleet string) *ir.FleetState { return h.states.Load()[fleet] }

// proxies lists the pids of running proxies started from dataDir: their
// command line names a bootstrap under it.
func proxies(t *testing.T, dataDir string) []string {
	t.Helper()
	entries, _ := os.ReadDir("/proc")
	var pids []string
	for _, e := range entries {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmd), "\x00")
		if strings.Contains(string(cmd), "--service-node") && len(args) > 1 && strings.Contains(string(cmd), dataDir+"/") {
			if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && strings.Contains(string(st), ") Z ") {
				continue // a zombie is not running
			}
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// killProxies stops whatever a failed test left running.
func killProxies(t *testing.T, dataDir string) {
	t.Cleanup(func() {
		for _, pid := range proxies(t, dataDir) {
			if p, err := findProcess(pid); err == nil {
				p.Kill()
			}
		}
	})
}

func findProcess(pid string) (*os.Process, error) {
	var n int
	if err := json.Unmarshal([]byte(pid), &n); err != nil {
		return nil, err
	}
	return os.FindProcess(n)
}
