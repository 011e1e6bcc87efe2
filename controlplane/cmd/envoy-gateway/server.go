package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/manager"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/logging"
)

func newServerCommand() *cobra.Command {
	var configPath string
	var watch []string
	var provision bool
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the control plane",
		Long: `Run the control plane until SIGINT or SIGTERM.

Without --config it runs on defaults that work on a laptop: xDS on
127.0.0.1:18000, /healthz and /readyz on 127.0.0.1:18081, data under ./data.
The Config Server (HTTP on 127.0.0.1:18080, gRPC on 127.0.0.1:18082) is on by
default; its bearer token is written to data/api-token at first start.
--watch adds files or directories of manifests to watch (the Path Watcher).
--provisioner runs each GatewayClass's EnvoyFleet module with Terraform.`,
		Example: `  envoy-gateway server --watch examples/quickstart
  envoy-gateway server --config /etc/envoy-gateway/config.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configPath, watch, provision)
			if err != nil {
				return err
			}
			log, err := logging.New(cmd.ErrOrStderr(), cfg.Logging.Level, cfg.Logging.Format)
			if err != nil {
				return err
			}
			m, err := manager.New(cfg, log)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return m.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "Bootstrap Config file (YAML); embedded defaults when empty")
	cmd.Flags().StringArrayVar(&watch, "watch", nil, "file or directory of manifests to watch (repeatable); adds to sources.files.paths")
	cmd.Flags().BoolVar(&provision, "provisioner", false, "provision each GatewayClass's fleet with Terraform (sets provisioner.enabled)")
	return cmd
}

// loadConfig reads the bootstrap (or the defaults) and applies flags on top,
// validating once more so that a bad flag is refused like a bad file.
func loadConfig(path string, watch []string, provision bool) (*bootstrap.Config, error) {
	cfg := bootstrap.Default()
	if path != "" {
		var err error
		if cfg, err = bootstrap.Load(path); err != nil {
			return nil, err
		}
	}
	if len(watch) > 0 {
		if cfg.Sources.Files == nil {
			cfg.Sources.Files = &bootstrap.FileSource{}
		}
		cfg.Sources.Files.Paths = append(cfg.Sources.Files.Paths, watch...)
	}
	if provision {
		cfg.Provisioner.Enabled = true
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}
