package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

func newApplyCommand() *cobra.Command {
	var files []string
	var output, fieldValidation string
	var dryRun bool
	var cf *clientFlags
	cmd := &cobra.Command{
		Use:   "apply -f FILE [-f FILE...] [--dry-run] [-o yaml|json]",
		Short: "Create or replace the objects of manifests in a running config server",
		Long: `Send every object of the manifests to a running config server in one request,
as "kubectl apply -f" does (an object is replaced as a whole, not merged).
The server validates all of them first: if any is invalid, nothing is
written, and every rejection is reported with its file, document and field.`,
		Example: `  envoy-gateway apply -f examples/quickstart/
  envoy-gateway apply -f routes.yaml --dry-run -o yaml   # with the status each would get`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return errors.New("-f: at least one file or directory is required (\"-\" reads stdin)")
			}
			if err := checkOutput(output); err != nil {
				return err
			}
			inputs, err := readManifests(cmd.InOrStdin(), files)
			if err != nil {
				return err
			}
			body, origins, err := joinManifests(inputs)
			if err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			res, err := c.Apply(cmd.Context(), body, apiclient.WriteOptions{DryRun: dryRun, FieldValidation: fieldValidation})
			if res == nil {
				return err
			}
			relocate(res, origins)
			if output != "" {
				if perr := printValue(cmd.OutOrStdout(), res, output); perr != nil {
					return perr
				}
			} else {
				printApply(cmd.OutOrStdout(), res, dryRun)
			}
			if err != nil {
				se, _ := apiclient.AsStatus(err)
				if se != nil {
					return errors.New(se.ErrStatus.Message)
				}
			}
			return err
		},
	}
	cf = addClientFlags(cmd)
	cmd.Flags().StringArrayVarP(&files, "file", "f", nil, "manifest file or directory (repeatable); - for stdin")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "validate and translate on the server, store nothing, and show the status each object would get")
	cmd.Flags().StringVarP(&output, "output", "o", "", "print the server's report as yaml or json")
	cmd.Flags().StringVar(&fieldValidation, "field-validation", "", "what the server does with unknown fields: Strict (its default), Warn or Ignore")
	return cmd
}

// origin is where a document of the joined manifests came from.
type origin struct {
	file     string
	document int
}

// joinManifests makes one stream of every input, so that the server
// validates them all before it writes any, and remembers where each of
// its documents came from.
func joinManifests(inputs []manifestFile) ([]byte, []origin, error) {
	var body bytes.Buffer
	var origins []origin
	for _, in := range inputs {
		docs, err := splitManifest(in.data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in.name, err)
		}
		for _, d := range docs {
			// The server would say the same, but about the joined stream.
			if _, err := server.DecodeObject(d.data, server.FormatYAML); err != nil {
				return nil, nil, fmt.Errorf("%s:%d: document %d: %w", in.name, d.line, d.index, err)
			}
			origins = append(origins, origin{file: in.name, document: d.index})
			body.WriteString("---\n")
			body.Write(d.data)
			if !bytes.HasSuffix(d.data, []byte("\n")) {
				body.WriteByte('\n')
			}
		}
	}
	if len(origins) == 0 {
		return nil, nil, errors.New("no objects in the input")
	}
	return body.Bytes(), origins, nil
}

// relocate maps the server's document numbers (in the joined stream) back
// to files, and the causes of its summary with them.
func relocate(res *apiclient.ApplyResult, origins []origin) {
	for i := range res.Items {
		it := &res.Items[i]
		if it.Document >= 0 && it.Document < len(origins) {
			o := origins[it.Document]
			it.File, it.Document = o.file, o.document
		}
	}
}

func printApply(w io.Writer, res *apiclient.ApplyResult, dryRun bool) {
	suffix := ""
	if dryRun {
		suffix = " (server dry run)"
	}
	for _, it := range res.Items {
		ref := itemRef(it)
		switch it.Action {
		case "rejected":
			for _, line := range statusLines(it.Status) {
				fmt.Fprintf(w, "%s: %s rejected: %s\n", itemWhere(it), ref, line)
			}
		case "skipped":
			fmt.Fprintf(w, "%s not applied: other objects were rejected\n", ref)
		default:
			fmt.Fprintf(w, "%s %s%s\n", ref, it.Action, suffix)
		}
		for _, warn := range it.Warnings {
			fmt.Fprintf(w, "warning: %s: %s\n", ref, warn)
		}
	}
}

// itemRef names an object as kubectl apply does: httproute.gateway.networking.k8s.io/name.
func itemRef(it apiclient.ApplyItem) string {
	gv, _ := schema.ParseGroupVersion(it.APIVersion)
	ref := strings.ToLower(it.Kind)
	if gv.Group != "" {
		ref += "." + gv.Group
	}
	if ref == "" {
		ref = "object"
	}
	return ref + "/" + qualified(it.Namespace, it.Name)
}

func itemWhere(it apiclient.ApplyItem) string {
	s := fmt.Sprintf("%s: document %d", it.File, it.Document)
	if it.Index != nil {
		s += fmt.Sprintf(", item %d", *it.Index)
	}
	return s
}
