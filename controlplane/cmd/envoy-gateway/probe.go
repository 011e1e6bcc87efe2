package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/provisioner/probe"
)

func newProbeCommand() *cobra.Command {
	var o probe.Options
	cmd := &cobra.Command{
		Use:   "probe --bootstrap FILE",
		Short: "Connect to xDS as a proxy with this bootstrap would, and report what it receives",
		Long: `probe reads an Envoy bootstrap, connects to its ADS server with the bootstrap's
node identity, validates every listener, route, cluster and endpoint it is sent,
ACKs or NACKs it as Envoy would, and prints one line per update with what it
holds. It keeps running, like a proxy, until SIGTERM or Ctrl-C; with --once it
exits after the first complete configuration (status 1 if anything was
rejected). It accepts Envoy's -c and --service-node, so modules/local can start
it in place of Envoy where no Envoy binary is installed.`,
		Example: `  envoy-gateway bootstrap --fleet eg > b.yaml && envoy-gateway probe --bootstrap b.yaml --once`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out = cmd.OutOrStdout()
			o.Log = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			ctx, cancel := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer cancel()
			return probe.Run(ctx, o)
		},
	}
	cmd.Flags().StringVarP(&o.Bootstrap, "bootstrap", "c", "", "Envoy bootstrap file (YAML or JSON); required")
	cmd.Flags().StringVar(&o.NodeID, "service-node", "", "node id, replacing the bootstrap's node.id (as Envoy's --service-node)")
	cmd.Flags().BoolVar(&o.Once, "once", false, "exit after the first complete configuration")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 30*time.Second, "with --once, how long to wait for a complete configuration")
	_ = cmd.MarkFlagRequired("bootstrap")
	cmd.SetContext(context.Background())
	return cmd
}
