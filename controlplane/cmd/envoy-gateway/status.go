package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// statusKinds are the kinds whose status the control plane writes, in the
// order a reader follows a request: class, gateway, routes.
var statusKinds = []string{"GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}

func newStatusCommand() *cobra.Command {
	var output, admin string
	var cf *clientFlags
	cmd := &cobra.Command{
		Use:   "status [-o yaml|json]",
		Short: "Show the config server and the status of every gateway object in it",
		Long: `Check that the config server answers and accepts the credentials, then show
every GatewayClass, Gateway and route it stores with its Accepted and
Programmed conditions and the reason that matters most. Then show each fleet
the provisioner runs: its phase, addresses, last run and error, read from the
server's admin endpoint (--admin).`,
		Example: `  envoy-gateway status
  ENVOYGATEWAY_ENDPOINT=https://cp:18080 envoy-gateway status -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			v, err := c.Version(ctx)
			if err != nil {
				return err
			}
			kinds, err := c.Kinds(ctx)
			if err != nil {
				return err
			}
			var rows []statusRow
			for _, k := range kinds {
				if !k.Preferred || !slices.Contains(statusKinds, k.Kind) || k.Group != "gateway.networking.k8s.io" {
					continue
				}
				list, err := c.List(ctx, k.GroupVersionKind, "", apiclient.ListOptions{})
				if err != nil {
					return err
				}
				for i := range list.Items {
					rows = append(rows, rowOf(&list.Items[i]))
				}
			}
			slices.SortStableFunc(rows, func(a, b statusRow) int {
				return slices.Index(statusKinds, a.Kind) - slices.Index(statusKinds, b.Kind)
			})
			fleets, fleetErr := fetchFleets(ctx, admin)
			if output != "" {
				value := map[string]any{"server": c.Endpoint(), "version": v.GitVersion, "objects": nonNil(rows), "fleets": fleets}
				if fleetErr != nil {
					value["fleetsError"] = fleetErr.Error()
				}
				return printValue(cmd.OutOrStdout(), value, output)
			}
			if err := printStatus(cmd.OutOrStdout(), c.Endpoint(), v, rows); err != nil {
				return err
			}
			return printFleets(cmd.OutOrStdout(), fleets, fleetErr)
		},
	}
	cf = addClientFlags(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: yaml or json; text when empty")
	cmd.Flags().StringVar(&admin, "admin", "", "the server's admin address, for fleet states (default $"+envAdmin+", else "+defaultAdmin+")")
	return cmd
}

func printStatus(w io.Writer, endpoint string, v *apiclient.Version, rows []statusRow) error {
	fmt.Fprintf(w, "Config server %s is up (version %s).\n", endpoint, v.GitVersion)
	if len(rows) == 0 {
		fmt.Fprintln(w, "It stores no GatewayClass, Gateway or route.")
		return nil
	}
	fmt.Fprintln(w)
	return writeTable(w, rows, true, true)
}

func nonNil(rows []statusRow) []statusRow {
	if rows == nil {
		return []statusRow{}
	}
	return rows
}
