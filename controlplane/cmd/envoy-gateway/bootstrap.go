package main

import (
	"github.com/spf13/cobra"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/envoybootstrap"
)

func newBootstrapCommand() *cobra.Command {
	var fleet, configPath, xdsHost, nodeID string
	var adminPort uint32
	cmd := &cobra.Command{
		Use:   "bootstrap --fleet NAME",
		Short: "Print the Envoy bootstrap that joins a proxy to a fleet",
		Long: `Print an Envoy v3 bootstrap (YAML) whose node cluster is the fleet, that is the
GatewayClass name, and whose ADS points at this control plane's xDS address.
Run Envoy with it:  envoy -c bootstrap.yaml`,
		Example: `  envoy-gateway bootstrap --fleet eg > bootstrap.yaml && envoy -c bootstrap.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := bootstrap.Default()
			if configPath != "" {
				var err error
				if cfg, err = bootstrap.Load(configPath); err != nil {
					return err
				}
			}
			p, err := envoybootstrap.ParamsFor(fleet, cfg.XDS.Address)
			if err != nil {
				return err
			}
			if xdsHost != "" {
				p.XDSHost = xdsHost
			}
			if nodeID != "" {
				p.NodeID = nodeID
			}
			p.AdminPort = adminPort
			tmpl := ""
			if b := cfg.EnvoyProxy.Bootstrap; b != nil {
				tmpl = b.Value
			}
			out, err := envoybootstrap.Render(tmpl, p)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVar(&fleet, "fleet", "", "fleet (GatewayClass) name; required")
	cmd.Flags().StringVar(&configPath, "config", "", "Bootstrap Config, for the xDS address and a custom bootstrap template")
	cmd.Flags().StringVar(&xdsHost, "xds-host", "", "host the proxy dials for xDS (default: the configured xDS address, 127.0.0.1 for a wildcard)")
	cmd.Flags().StringVar(&nodeID, "node-id", "", "Envoy node id (default: <fleet>-proxy)")
	cmd.Flags().Uint32Var(&adminPort, "admin-port", 19000, "Envoy admin port on 127.0.0.1")
	_ = cmd.MarkFlagRequired("fleet")
	return cmd
}
