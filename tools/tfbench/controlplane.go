package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/manager"
)

// startControlPlane runs the whole control plane in this process, as `make
// run` would, but on OS-chosen loopback ports and a fresh data directory,
// so the benchmark disturbs nothing else on the machine.
func startControlPlane(ctx context.Context, dataDir string) (m *manager.Manager, stop func() error, err error) {
	cfg := bootstrap.Default()
	cfg.DataDir = dataDir
	cfg.XDS.Address = "127.0.0.1:0"
	cfg.Admin.Address = "127.0.0.1:0"
	cfg.Sources.Server = &bootstrap.ServerSource{Address: "127.0.0.1:0", GRPCAddress: "127.0.0.1:0"}
	if m, err = manager.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		return nil, nil, err
	}
	if err = m.Listen(); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stop = func() error {
		cancel()
		if err := <-done; err != nil {
			return fmt.Errorf("control plane: %w", err)
		}
		return nil
	}
	return m, stop, nil
}
