package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/profiling"
)

func newTranslateCommand() *cobra.Command {
	var files []string
	var to, output, controller, cpuProfile string
	var showTimeline bool
	cmd := &cobra.Command{
		Use:   "translate -f FILE [-f FILE...] --to xds|ir|status [-o yaml|json]",
		Short: "Translate manifests offline and print xDS, IR or status",
		Long: `Translate Gateway API manifests without a server, with the same decoder,
validator and translators the server uses.

  --to status  the Gateway API objects (GatewayClass, Gateway, routes) with status filled in
  --to ir      the intermediate representation of each fleet (GatewayClass)
  --to xds     the xDS resources of each fleet, grouped by type

Kinds the control plane does not use are skipped with one warning per kind.
Any object that fails to decode or validate is reported with file, document and
field, and nothing is printed.`,
		Example: `  envoy-gateway translate -f examples/quickstart --to status
  envoy-gateway translate -f gateway.yaml -f routes.yaml --to xds -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return errors.New("-f: at least one file or directory is required")
			}
			if !slices.Contains([]string{"xds", "ir", "status"}, to) {
				return fmt.Errorf("--to: unsupported value %q: want xds, ir or status", to)
			}
			if output != "yaml" && output != "json" {
				return fmt.Errorf("-o: unsupported value %q: want yaml or json", output)
			}
			batchGC()
			if cpuProfile != "" {
				stop, err := profiling.StartCPU(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			tl := newTimeline(cmd.ErrOrStderr(), showTimeline)
			end := tl.phase("load")
			res, err := loadManifests(cmd.ErrOrStderr(), files)
			end()
			if err != nil {
				return err
			}
			end = tl.phase("translate")
			result := gatewayapi.Translate(res, gatewayapi.Options{ControllerName: gwController(controller)})
			end()
			switch to {
			case "status":
				return writeDocuments(cmd.OutOrStdout(), statusDocuments(result), output)
			case "ir":
				return writeDocuments(cmd.OutOrStdout(), []any{result.IR}, output)
			}
			end = tl.phase("xds")
			fleets, err := xdsFleets(result)
			end()
			if err != nil {
				return err
			}
			defer tl.phase("output")()
			return writeXDS(cmd.OutOrStdout(), fleets, output)
		},
	}
	cmd.Flags().StringArrayVarP(&files, "file", "f", nil, "manifest file or directory (repeatable)")
	cmd.Flags().StringVar(&to, "to", "status", "what to print: xds, ir or status")
	cmd.Flags().StringVarP(&output, "output", "o", "yaml", "output format: yaml or json")
	cmd.Flags().StringVar(&controller, "controller-name", string(resource.DefaultControllerName), "GatewayClass controllerName this control plane owns")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	cmd.Flags().BoolVar(&showTimeline, "timeline", false, "print when each phase starts and ends to stderr")
	_ = cmd.Flags().MarkHidden("timeline")
	return cmd
}

// batchGC lets the heap grow to three times what is live before a
// collection, unless GOGC says otherwise, with a soft limit of 1 GiB
// unless GOMEMLIMIT says otherwise. A translate run is short and keeps
// little next to what it allocates (decoding and validating every
// object): at the default it collects often enough to cost a sixth of its
// CPU. Growing further costs more than it saves: every new page of heap
// is a page fault, ~9 us each on this project's VMs (10k routes, 2 cores:
// GOGC 200 2.43-2.56 s, 44k faults; 400 2.46-2.72 s, 57k; 800 2.8 s, 81k).
// The limit keeps the YAML output, which allocates most, bounded.
func batchGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(200)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(1 << 30)
	}
}

// loadManifests decodes and validates every file, warning once per skipped
// kind. Any error fails the whole load: an offline tool that prints a
// translation of half the input would mislead a CI pipeline.
func loadManifests(stderr io.Writer, files []string) (*resource.Resources, error) {
	dec, err := newDecoder()
	if err != nil {
		return nil, err
	}
	res, skipped, errs := dec.LoadFiles(files...)
	kinds := make([]string, 0, len(skipped))
	for k := range skipped {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(stderr, "warning: skipped %d object(s) of kind %s, which the control plane does not use\n", skipped[k], k)
	}
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(stderr, e)
		}
		return nil, fmt.Errorf("%d invalid input(s)", len(errs))
	}
	return res, nil
}

// statusDocuments lists the objects the translator owns, with apiVersion
// and kind set so the output is valid manifests again.
func statusDocuments(r *gatewayapi.Result) []any {
	var docs []any
	for _, o := range r.StatusObjects() {
		docs = append(docs, o)
	}
	return docs
}

// xdsFleets translates every fleet, in name order, to its xDS resources.
func xdsFleets(r *gatewayapi.Result) ([]xdsFleet, error) {
	names := make([]string, 0, len(r.IR))
	for f := range r.IR {
		names = append(names, f)
	}
	slices.Sort(names)
	fleets := make([]xdsFleet, 0, len(names))
	for _, f := range names {
		rs, err := translator.Translate(r.IR[f])
		if err != nil {
			return nil, fmt.Errorf("fleet %s: %w", f, err)
		}
		fleets = append(fleets, newXDSFleet(rs))
	}
	return fleets, nil
}

// writeDocuments prints YAML documents separated by "---", or JSON: one
// value when there is one document, else an array.
func writeDocuments(w io.Writer, docs []any, format string) error {
	if format == "json" {
		var v any = docs
		if len(docs) == 1 {
			v = docs[0]
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	var b strings.Builder
	for i, d := range docs {
		y, err := yaml.Marshal(d)
		if err != nil {
			return err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
