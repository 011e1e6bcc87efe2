package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench"
)

func newBenchCommand() *cobra.Command {
	var quick bool
	var seed uint64
	var dir, jsonPath string
	var childRoutes int
	var childProfile string
	var only []string
	cmd := &cobra.Command{
		Use:   "bench [--quick] [--json FILE]",
		Short: "Measure translation, change propagation, xDS fan-out, Config Server writes and start-up",
		Long: `Measure the control plane on generated workloads and print a table:

  translation     resources -> IR -> xDS for 100, 1k, 10k and 50k HTTPRoutes
  translate -f    the whole offline command on the 10k-route manifest, as a process
  incremental     one-route change with 10k routes loaded, until the snapshot is set
  fan-out         1,000 ADS streams ACKing a one-route change, and the control plane's memory
  config server   durable PUTs, sequential and from 16 clients
  start-up        process start until a proxy has the 10k-route configuration,
                  from files and from the Config Server's bbolt store

--quick uses smaller sizes for a loaded machine. Nothing here is a pass/fail test.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if childRoutes > 0 {
				// Hidden: the fan-out's control plane, in its own process.
				return bench.ServeChild(cmd.InOrStdin(), cmd.OutOrStdout(), childRoutes, seed, childProfile)
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			if dir == "" {
				if dir, err = os.MkdirTemp("", "envoy-gateway-bench-"); err != nil {
					return err
				}
				defer os.RemoveAll(dir)
			}
			report := bench.Run(bench.Config{
				Quick: quick, Seed: seed, Binary: self, Dir: dir, Log: cmd.ErrOrStderr(), Only: only,
				ChildArgs: func(routes int, seed uint64, profile string) []string {
					return []string{"bench", "--child-routes", strconv.Itoa(routes), "--seed", strconv.FormatUint(seed, 10), "--child-cpuprofile", profile}
				},
			})
			if err := report.WriteTable(cmd.OutOrStdout()); err != nil {
				return err
			}
			if jsonPath != "" {
				if err := report.WriteJSON(jsonPath); err != nil {
					return err
				}
			}
			if len(report.Errors) > 0 {
				return fmt.Errorf("%d measurement(s) failed", len(report.Errors))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&quick, "quick", false, "smaller sizes (1k routes, 100 streams) for a quick or loaded run")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "workload generator seed")
	cmd.Flags().StringVar(&dir, "dir", "", "work directory for manifests, stores and the CPU profile (kept); a temporary one when empty")
	cmd.Flags().StringVar(&jsonPath, "json", "bench-results.json", "write the results as JSON to this file (empty: do not)")
	cmd.Flags().StringSliceVar(&only, "only", nil, "run only these measurements: "+strings.Join(bench.Measurements, ","))
	cmd.Flags().IntVar(&childRoutes, "child-routes", 0, "internal: serve a workload of this many routes as the fan-out's control plane")
	cmd.Flags().StringVar(&childProfile, "child-cpuprofile", "", "internal: CPU profile of the fan-out's control plane during the changes")
	_ = cmd.Flags().MarkHidden("child-routes")
	_ = cmd.Flags().MarkHidden("child-cpuprofile")
	return cmd
}
