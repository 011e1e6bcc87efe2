package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/bolt"
)

// StartupResult is the time from starting a control plane process until a
// proxy has received and ACKed its fleet's whole configuration.
type StartupResult struct {
	Routes  int     `json:"routes"`
	Source  string  `json:"source"`
	Command string  `json:"command"`
	Ms      float64 `json:"ms"`
}

// MeasureStartupFromFiles starts `binary server` watching file (which
// holds routes routes) on loopback ports the OS picks, and times it until
// one proxy has ACKed clusters, endpoints, listeners and routes. The file
// source validates every object (CRD schema and CEL) before the first
// translation, so this includes that cost.
func MeasureStartupFromFiles(binary, dir, file string, routes int) (*StartupResult, error) {
	cfg := map[string]any{
		"dataDir": filepath.Join(dir, "data"),
		"xds":     map[string]any{"address": "127.0.0.1:0"},
		"admin":   map[string]any{"address": "127.0.0.1:0"},
		"logging": map[string]any{"level": "info", "format": "json"},
		// Files only: the Config Server is on by default and would bind
		// its default port.
		"sources": map[string]any{"files": map[string]any{"paths": []string{file}}, "server": nil},
	}
	return measureStartup(binary, dir, cfg, routes, "files", "envoy-gateway server --config <files source>")
}

// MeasureStartupFromStore stores the objects of file (holding routes
// routes) in a bbolt store through the Config Server's own write path,
// then starts `binary server` with only the Config Server as its source and
// times it until one proxy has ACKed every type: loading the store, typing
// the objects, translating and serving. Filling the store is not timed.
func MeasureStartupFromStore(binary, dir, file string, routes int) (*StartupResult, error) {
	dataDir := filepath.Join(dir, "data")
	if err := fillStore(filepath.Join(dataDir, "store.db"), file); err != nil {
		return nil, fmt.Errorf("filling the store: %w", err)
	}
	cfg := map[string]any{
		"dataDir": dataDir,
		"xds":     map[string]any{"address": "127.0.0.1:0"},
		"admin":   map[string]any{"address": "127.0.0.1:0"},
		"logging": map[string]any{"level": "info", "format": "json"},
		"sources": map[string]any{"server": map[string]any{"address": "127.0.0.1:0", "grpcAddress": "127.0.0.1:0"}},
	}
	return measureStartup(binary, dir, cfg, routes, "store", "envoy-gateway server (Config Server source, bbolt)")
}

// fillStore applies the manifests of file to a new bbolt store at path, as
// `envoy-gateway apply` would through a running server.
func fillStore(path, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	st, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := validation.New()
	if err != nil {
		return err
	}
	_, err = server.NewAPI(st, v, server.APIOptions{}).Apply(context.Background(), data, server.WriteOptions{})
	return err
}

// measureStartup starts `binary server` with cfg and times it until one
// proxy has ACKed every type.
func measureStartup(binary, dir string, cfg map[string]any, routes int, source, command string) (*StartupResult, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, "bootstrap.yaml")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, "server", "--config", cfgPath)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	addr, err := xdsAddress(stderr, changeTimeout)
	if err != nil {
		return nil, err
	}
	at, err := syncOneProxy(addr)
	if err != nil {
		return nil, err
	}
	return &StartupResult{Routes: routes, Source: source, Command: command, Ms: ms(at.Sub(t0))}, nil
}

// xdsAddress reads the server's JSON log until it says where xDS listens;
// the rest of the log is drained so the server never blocks on it.
func xdsAddress(r io.Reader, timeout time.Duration) (string, error) {
	found := make(chan string, 1)
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var rec struct{ Msg, Address string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "xDS server listening" {
				once.Do(func() { found <- rec.Address })
			}
		}
		once.Do(func() { close(found) })
	}()
	select {
	case a, ok := <-found:
		if !ok {
			return "", fmt.Errorf("the server exited before serving xDS")
		}
		return a, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("the server did not serve xDS within %s", timeout)
	}
}

// syncOneProxy connects one proxy and returns when it has ACKed every type.
func syncOneProxy(addr string) (time.Time, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := newTracker(1)
	wait := tr.expect(func(_ int, a map[string]string) bool {
		for _, t := range xdsTypes {
			if a[t] == "" {
				return false
			}
		}
		return true
	})
	p, err := dialProxy(ctx, addr, 0, tr, newNamesCache())
	if err != nil {
		return time.Time{}, err
	}
	defer p.close()
	go p.run()
	return wait(fanoutTimeout)
}
