package manager

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/logging"
)

func get(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func testConfig(t *testing.T, paths ...string) *bootstrap.Config {
	cfg := bootstrap.Default()
	cfg.DataDir = t.TempDir()
	cfg.XDS.Address = "127.0.0.1:0"
	cfg.Admin.Address = "127.0.0.1:0"
	cfg.Sources.Server = &bootstrap.ServerSource{Address: "127.0.0.1:0", GRPCAddress: "127.0.0.1:0"}
	if len(paths) > 0 {
		cfg.Sources.Files = &bootstrap.FileSource{Paths: paths}
	}
	return cfg
}

func TestHealthReadinessAndShutdown(t *testing.T) {
	dir := t.TempDir()
	m, err := New(testConfig(t, dir), logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	// Not ready before anything ran: the file source has not loaded.
	if err := m.Ready(); err == nil || !strings.Contains(err.Error(), "file") {
		t.Fatalf("Ready before Run = %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	admin := "http://" + m.AdminAddr().String()
	waitFor(t, func() error {
		code, _, err := get(admin + "/healthz")
		if err != nil || code != 200 {
			return fmt.Errorf("healthz %d %v", code, err)
		}
		code, body, err := get(admin + "/readyz")
		if err != nil || code != 200 {
			return fmt.Errorf("readyz %d %q %v", code, body, err)
		}
		return nil
	})

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("clean shutdown returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, _, err := get(admin + "/healthz"); err == nil {
		t.Error("admin still serving after shutdown")
	}
}

func TestListenRefusesBusyPort(t *testing.T) {
	a, err := New(testConfig(t), logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	defer a.xdsLis.Close()
	defer a.adminLis.Close()

	cfg := testConfig(t)
	cfg.XDS.Address = a.XDSAddr().String()
	b, err := New(cfg, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Listen(); err == nil || !strings.Contains(err.Error(), "xds.address") {
		t.Fatalf("Listen on a busy port = %v, want an error naming xds.address", err)
	}
}

func TestRunStopsEverythingWhenAServiceFails(t *testing.T) {
	m, err := New(testConfig(t, t.TempDir()), logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	m.add("boom", func(ctx context.Context) error { return errors.New("disk on fire") })
	done := make(chan error, 1)
	go func() { done <- m.Run(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "boom: disk on fire") {
			t.Fatalf("Run = %v, want the failing service named", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run kept going after a service failed")
	}
	if _, _, err := get("http://" + m.AdminAddr().String() + "/healthz"); err == nil {
		t.Error("admin still serving after a failure")
	}
}

func waitFor(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(err)
}
