package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/manager"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/testutil/xdsclient"
)

// logBuffer collects the server's log so a test can wait for an event
// (such as a rejected file) instead of sleeping.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.buf.String(), s)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// controlPlane is a whole control plane running in the test process.
type controlPlane struct {
	*manager.Manager
	logs *logBuffer
}

// startControlPlane runs the control plane until the test ends, on the
// embedded defaults with every port on 127.0.0.1 chosen by the OS and a
// temporary data directory; configure adjusts the config first. It returns
// once /readyz answers 200. The server's log is printed if the test fails.
func startControlPlane(t *testing.T, configure func(*bootstrap.Config)) *controlPlane {
	t.Helper()
	cfg := bootstrap.Default()
	cfg.DataDir = t.TempDir()
	cfg.XDS.Address = "127.0.0.1:0"
	cfg.Admin.Address = "127.0.0.1:0"
	cfg.Sources.Server = &bootstrap.ServerSource{Address: "127.0.0.1:0", GRPCAddress: "127.0.0.1:0"}
	if configure != nil {
		configure(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	m, err := manager.New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	xdsclient.Eventually(t, "readyz", func() error {
		resp, err := http.Get("http://" + m.AdminAddr().String() + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: %s", resp.Status)
		}
		return nil
	})
	return &controlPlane{Manager: m, logs: logs}
}

// watching is a configure func: the Path Watcher reads dir and the Config
// Server is off.
func watching(dir string) func(*bootstrap.Config) {
	return func(cfg *bootstrap.Config) {
		cfg.Sources.Files = &bootstrap.FileSource{Paths: []string{dir}}
		cfg.Sources.Server = nil
	}
}

// startWithConfigServer runs the control plane with only the Config Server
// as its source, and returns a client of it.
func startWithConfigServer(t *testing.T) (*manager.Manager, *apiclient.Client) {
	t.Helper()
	cp := startControlPlane(t, nil)
	c, err := apiclient.New(apiclient.Options{Endpoint: "http://" + cp.ConfigServerAddr().String(), Token: cp.ConfigServerToken()})
	if err != nil {
		t.Fatal(err)
	}
	return cp.Manager, c
}
