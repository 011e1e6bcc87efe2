package conformance_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/envoybootstrap"
)

// envoyBootstrap is the project's own bootstrap for the fleet, pointed at
// the in-test xDS server; its admin port is 0 (Envoy chooses, and writes
// the address to --admin-address-path).
func envoyBootstrap(class, xdsAddr string) ([]byte, error) {
	p, err := envoybootstrap.ParamsFor(class, xdsAddr)
	if err != nil {
		return nil, err
	}
	p.NodeID, p.AdminPort = envoyNodeID(class), 0
	return envoybootstrap.Render("", p)
}

// startEnvoy runs bin for the fleet until the test ends, waiting until it
// is ready and listens on every TCP port of ports. Its log is printed
// when the test fails.
//
// This path never ran on the machines the project is built on: no Envoy
// binary can be had there (NOTES.md).
func startEnvoy(t *testing.T, bin, class, xdsAddr string, ports *loopbackPorts, tcpPorts []uint32) {
	t.Helper()
	dir := t.TempDir()
	b, err := envoyBootstrap(class, xdsAddr)
	if err != nil {
		t.Fatal(err)
	}
	cfg, adminPath := filepath.Join(dir, "bootstrap.yaml"), filepath.Join(dir, "admin")
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cmd := exec.Command(bin, "-c", cfg, "--admin-address-path", adminPath, "--disable-hot-restart", "-l", "info")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	// done closes when Envoy exits, with waitErr set: both the readiness
	// wait and the cleanup watch it.
	done, waitErr := make(chan struct{}), error(nil)
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("envoy (fleet %s) log:\n%s", class, log.String())
		}
	})
	if err := waitEnvoyReady(adminPath, ports, tcpPorts, done, &waitErr); err != nil {
		t.Fatalf("envoy for fleet %s: %v", class, err)
	}
}

// waitEnvoyReady polls the admin /ready endpoint, then every TCP listener;
// the deadline only stops a hang.
func waitEnvoyReady(adminPath string, ports *loopbackPorts, tcpPorts []uint32, exited <-chan struct{}, waitErr *error) error {
	deadline := time.Now().Add(60 * time.Second)
	ready := func() bool {
		admin, err := os.ReadFile(adminPath)
		if err != nil || len(admin) == 0 {
			return false
		}
		resp, err := http.Get("http://" + strings.TrimSpace(string(admin)) + "/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false
		}
		for _, gw := range tcpPorts {
			local, _ := ports.local(gw)
			c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(local))))
			if err != nil {
				return false
			}
			c.Close()
		}
		return true
	}
	for !ready() {
		select {
		case <-exited:
			return fmt.Errorf("exited before it was ready: %v", *waitErr)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready (admin /ready and listeners on ports %v) within 60s", tcpPorts)
		}
	}
	return nil
}
