package conformance_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeEnvoyScript stands in for the envoy binary's command line and admin
// interface only: it checks that -c names a readable bootstrap, serves
// /ready on 127.0.0.1:0 and writes that address to --admin-address-path,
// as Envoy does with an admin port of 0. It speaks no xDS and proxies
// nothing, so it tests startEnvoy's process handling, not Envoy.
const fakeEnvoyScript = `#!/usr/bin/env python3
import http.server, signal, sys
args = sys.argv[1:]
cfg = args[args.index("-c") + 1]
path = args[args.index("--admin-address-path") + 1]
if "xds_cluster" not in open(cfg).read():
    sys.exit("bootstrap has no xds_cluster")
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/ready" else 404)
        self.end_headers()
        self.wfile.write(b"LIVE\n")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
open(path, "w").write("127.0.0.1:%d" % s.server_address[1])
s.serve_forever()
`

func fakeEnvoy(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found: the fake envoy is a Python script")
	}
	bin := filepath.Join(t.TempDir(), "envoy")
	if err := os.WriteFile(bin, []byte(fakeEnvoyScript), 0o700); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestStartEnvoyProcess: startEnvoy hands the binary the bootstrap and an
// admin address path, waits for /ready and every TCP listener, and stops
// the process at cleanup.
func TestStartEnvoyProcess(t *testing.T) {
	bin := fakeEnvoy(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, p, _ := net.SplitHostPort(l.Addr().String())
	port, _ := strconv.Atoi(p)
	lp := newLoopbackPorts()
	lp.ports[80] = uint32(port)
	xds := startTestXDS(t)
	var pid int
	t.Run("start", func(t *testing.T) {
		startEnvoy(t, bin, "fleet", xds.addr, lp, []uint32{80})
		out, err := exec.Command("pgrep", "-f", bin).Output()
		if err != nil {
			t.Fatalf("the fake envoy is not running: %v", err)
		}
		pid, _ = strconv.Atoi(strings.Fields(string(out))[0])
	})
	if pid == 0 {
		t.Fatal("no process")
	}
	// The subtest's cleanup has stopped it.
	if err := exec.Command("kill", "-0", strconv.Itoa(pid)).Run(); err == nil {
		t.Errorf("envoy process %d still runs after cleanup", pid)
	}
}

func TestWaitEnvoyReadyExited(t *testing.T) {
	done := make(chan struct{})
	close(done)
	werr := error(&exec.ExitError{})
	err := waitEnvoyReady(filepath.Join(t.TempDir(), "none"), newLoopbackPorts(), nil, done, &werr)
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
		t.Errorf("got %v, want the exit reported", err)
	}
}
