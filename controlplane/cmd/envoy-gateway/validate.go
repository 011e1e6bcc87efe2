package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
)

func newValidateCommand() *cobra.Command {
	var files []string
	var output string
	cmd := &cobra.Command{
		Use:   "validate -f FILE [-f FILE...] [-o json]",
		Short: "Validate manifests offline, exactly as the config server would",
		Long: `Validate every object of the manifests with the config server's own validator:
the Gateway API CRDs' OpenAPI schemas and CEL rules, and the project's own kinds'.
No server is needed; it is meant for CI pipelines that lint gateway config
before it is applied. Namespaced objects without a namespace get "default",
as kubectl gives them. Each object is checked as a create: rules about
updates (immutable fields, transitions) need the stored object and only the
server applies them.

Exit status: 0 when every object is valid, 1 otherwise.

With -o json it prints one JSON object per input object, one per line:
  {"file","document","index"?,"apiVersion","kind","namespace","name","valid",
   "status": the Kubernetes Status the server would answer with (omitted when valid)}
Documents are counted from 0 among the non-empty YAML documents of each file;
"index" is the position in a List's items.`,
		Example: `  envoy-gateway validate -f gateway.yaml -f routes/
  envoy-gateway validate -f routes.yaml -o json | jq 'select(.valid == false)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return errors.New("-f: at least one file or directory is required (\"-\" reads stdin)")
			}
			if output != "" && output != "json" {
				return fmt.Errorf("-o: unsupported value %q: want json, or nothing for text", output)
			}
			v, err := validation.New()
			if err != nil {
				return err
			}
			inputs, err := readManifests(cmd.InOrStdin(), files)
			if err != nil {
				return err
			}
			results := validateAll(v, inputs)
			if err := printValidation(cmd.OutOrStdout(), results, output); err != nil {
				return err
			}
			return invalidCount(results)
		},
	}
	cmd.Flags().StringArrayVarP(&files, "file", "f", nil, "manifest file or directory (repeatable); - for stdin")
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json (one object per line), or text when empty")
	return cmd
}

// manifestFile is one input, read whole.
type manifestFile struct {
	name string
	data []byte
}

// readManifests reads files, directories (their manifest files, sorted) and
// "-" (stdin), in the order given.
func readManifests(stdin io.Reader, paths []string) ([]manifestFile, error) {
	var out []manifestFile
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("reading stdin: %w", err)
			}
			out = append(out, manifestFile{name: "-", data: data})
			continue
		}
		names, err := resource.ExpandPaths(p)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				return nil, err
			}
			out = append(out, manifestFile{name: n, data: data})
		}
	}
	return out, nil
}

// validationResult is one object's verdict, in the shape of -o json.
type validationResult struct {
	File       string         `json:"file"`
	Document   int            `json:"document"`
	Index      *int           `json:"index,omitempty"`
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Namespace  string         `json:"namespace"`
	Name       string         `json:"name"`
	Valid      bool           `json:"valid"`
	Status     *metav1.Status `json:"status,omitempty"`
	// line is where the document starts, for text output.
	line int
}

func validateAll(v *validation.Validator, files []manifestFile) []validationResult {
	var out []validationResult
	seen := map[string]string{}
	for _, f := range files {
		docs, err := splitManifest(f.data)
		if err != nil {
			out = append(out, validationResult{File: f.name, Status: statusOf(apierrors.NewBadRequest(err.Error()))})
			continue
		}
		for _, d := range docs {
			for _, r := range validateDocument(v, f.name, d) {
				markDuplicate(&r, seen)
				out = append(out, r)
			}
		}
	}
	return out
}

// markDuplicate rejects a second definition of an object, as the server's
// apply does: which one should win is the author's call.
func markDuplicate(r *validationResult, seen map[string]string) {
	if !r.Valid {
		return
	}
	gv, _ := schema.ParseGroupVersion(r.APIVersion)
	key := gv.Group + "/" + r.Kind + "/" + r.Namespace + "/" + r.Name
	if first, dup := seen[key]; dup {
		r.Valid = false
		r.Status = statusOf(apierrors.NewBadRequest(fmt.Sprintf("%s %s is also defined by %s", r.Kind, qualified(r.Namespace, r.Name), first)))
		return
	}
	seen[key] = r.where()
}

func (r validationResult) where() string {
	s := fmt.Sprintf("%s document %d", r.File, r.Document)
	if r.Index != nil {
		s += fmt.Sprintf(" items[%d]", *r.Index)
	}
	return s
}

// validateDocument checks the objects of one document: itself, or the
// items of a List.
func validateDocument(v *validation.Validator, file string, d manifestDoc) []validationResult {
	base := validationResult{File: file, Document: d.index, line: d.line}
	obj, err := server.DecodeObject(d.data, server.FormatYAML)
	if err != nil {
		base.Status = statusOf(apierrors.NewBadRequest(err.Error()))
		return []validationResult{base}
	}
	items, isList := obj["items"].([]any)
	kind, _ := obj["kind"].(string)
	if !isList || (kind != "List" && !strings.HasSuffix(kind, "List")) {
		return []validationResult{validateObject(v, base, obj)}
	}
	var out []validationResult
	for i, it := range items {
		r := base
		r.Index = &i
		m, ok := it.(map[string]any)
		if !ok {
			r.Status = statusOf(apierrors.NewBadRequest(fmt.Sprintf("items[%d]: want an object", i)))
			out = append(out, r)
			continue
		}
		out = append(out, validateObject(v, r, m))
	}
	return out
}

// validateObject runs the server's create path on obj: identity, then the
// validator's pruning, defaulting and validation, with the same Status for
// each failure that the server answers with.
func validateObject(v *validation.Validator, r validationResult, obj map[string]any) validationResult {
	u := &unstructured.Unstructured{Object: obj}
	r.APIVersion, r.Kind, r.Namespace, r.Name = u.GetAPIVersion(), u.GetKind(), u.GetNamespace(), u.GetName()
	gv, err := schema.ParseGroupVersion(r.APIVersion)
	switch {
	case r.APIVersion == "" || r.Kind == "":
		r.Status = statusOf(apierrors.NewBadRequest("apiVersion and kind are required"))
		return r
	case err != nil:
		r.Status = statusOf(apierrors.NewBadRequest("apiVersion: " + err.Error()))
		return r
	}
	gvk := gv.WithKind(r.Kind)
	namespaced, known := v.Namespaced(gvk)
	if !known {
		r.Status = statusOf(apierrors.NewBadRequest(fmt.Sprintf("no kind %s is served in %s", r.Kind, gv)))
		return r
	}
	switch {
	case !namespaced:
		r.Namespace = ""
	case r.Namespace == "":
		r.Namespace = resource.DefaultNamespace
	}
	u.SetNamespace(r.Namespace)
	if r.Name == "" {
		r.Status = validation.StatusFor(gvk.GroupKind(), "", field.ErrorList{field.Required(field.NewPath("metadata", "name"), "name or generateName is required")})
		return r
	}
	norm, err := normalizeObject(obj)
	if err != nil {
		r.Status = statusOf(apierrors.NewBadRequest(err.Error()))
		return r
	}
	res, err := v.Create(norm)
	switch {
	case err != nil:
		r.Status = statusOf(apierrors.NewBadRequest(err.Error()))
	case len(res.Errors) > 0:
		r.Status = validation.StatusFor(gvk.GroupKind(), r.Name, res.Errors)
	case len(res.UnknownFields) > 0:
		// The server's default fieldValidation is Strict.
		r.Status = statusOf(apierrors.NewBadRequest(validation.UnknownFieldsError(res.UnknownFields).Error()))
	default:
		r.Valid = true
	}
	return r
}

// normalizeObject gives obj the number types the validator needs, as the
// server does with every body.
func normalizeObject(obj map[string]any) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return validation.FromJSON(b)
}

func statusOf(err error) *metav1.Status { return server.StatusOf(err) }

func qualified(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

func printValidation(w io.Writer, results []validationResult, output string) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	var b strings.Builder
	for _, r := range results {
		loc := r.File
		if r.line > 0 {
			loc += fmt.Sprintf(":%d", r.line)
		}
		where := fmt.Sprintf("%s: document %d", loc, r.Document)
		if r.Index != nil {
			where += fmt.Sprintf(", item %d", *r.Index)
		}
		if id := strings.TrimSpace(r.Kind + " " + qualified(r.Namespace, r.Name)); id != "" {
			where += " (" + id + ")"
		}
		if r.Valid {
			fmt.Fprintf(&b, "%s: valid\n", where)
			continue
		}
		for _, line := range statusLines(r.Status) {
			fmt.Fprintf(&b, "%s: %s\n", where, line)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// statusLines is one line per cause of a Status, or its message.
func statusLines(st *metav1.Status) []string {
	if st == nil {
		return []string{"invalid"}
	}
	if st.Details == nil || len(st.Details.Causes) == 0 {
		return []string{st.Message}
	}
	out := make([]string, 0, len(st.Details.Causes))
	for _, c := range st.Details.Causes {
		if c.Field == "" {
			out = append(out, c.Message)
			continue
		}
		out = append(out, c.Field+": "+c.Message)
	}
	return out
}

// invalidCount is validate's verdict: nil (exit 0) when every object is
// valid, an error (exit 1) otherwise.
func invalidCount(results []validationResult) error {
	bad := 0
	for _, r := range results {
		if !r.Valid {
			bad++
		}
	}
	if bad == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d objects are invalid", bad, len(results))
}

// manifestDoc is one non-empty YAML document of a file.
type manifestDoc struct {
	// index counts non-empty documents from 0, as the server's apply does.
	index int
	// line is the file line of the document's first content line.
	line int
	data []byte
}

// splitManifest cuts data at "---" lines the way the server's YAML reader
// does, keeping each document's line, and drops documents holding only
// blanks and comments.
func splitManifest(data []byte) ([]manifestDoc, error) {
	var docs []manifestDoc
	var cur []byte
	first := 0
	flush := func() {
		if first > 0 {
			docs = append(docs, manifestDoc{index: len(docs), line: first, data: cur})
		}
		cur, first = nil, 0
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if rest, ok := bytes.CutPrefix(line, []byte("---")); ok {
			t := bytes.TrimSpace(rest)
			if len(t) > 0 && t[0] != '#' {
				return nil, fmt.Errorf("line %d: invalid YAML document separator: %s", n, t)
			}
			flush()
			continue
		}
		if t := bytes.TrimSpace(line); first == 0 && len(t) > 0 && t[0] != '#' {
			first = n
		}
		cur = append(cur, line...)
	}
	flush()
	return docs, nil
}
