// Command envoy-gateway is the control plane: it serves xDS to Envoy fleets
// from Gateway API resources, and offers offline tools over the same code.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		// cobra has printed usage errors already; print the rest once.
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "envoy-gateway",
		Short: "Gateway API control plane for Envoy fleets on VMs and containers",
		Long: `envoy-gateway reads Gateway API resources (GatewayClass, Gateway, HTTPRoute,
ReferenceGrant, and the project's own Backend kind) from a config source,
translates them to Envoy xDS, and serves that to every Envoy proxy of a fleet.
A GatewayClass is a fleet; a proxy joins it by naming the class as its
node cluster (see "envoy-gateway bootstrap").`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServerCommand(), newTranslateCommand(), newBootstrapCommand(), newVersionCommand())
	root.AddCommand(newValidateCommand(), newApplyCommand(), newGetCommand(), newDeleteCommand(), newStatusCommand())
	root.AddCommand(newBenchCommand())
	root.AddCommand(newProbeCommand())
	return root
}

// version is set by the linker: -ldflags "-X main.version=...".
var version = "dev"

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), version)
		},
	}
}
