package provisioner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// rootFile is the root module the provisioner writes in each fleet's
// working directory. JSON syntax, so values are encoded, never templated
// into HCL text.
const rootFile = "main.tf.json"

// moduleInputs are what the root module passes to the fleet's module.
type moduleInputs struct {
	Name           string
	EnvoyBootstrap string
	Ports          []uint32
	Replicas       int32
	EnvoyVersion   string
	// Infrastructure is the optional "infrastructure" input; nil leaves it
	// out, for modules that predate it.
	Infrastructure *Metadata
	// Extra are the user's variables and any the provisioner adds
	// (command), as JSON values.
	Extra map[string]json.RawMessage
}

// rootModule renders main.tf.json: one module call and the addresses
// output. source is as Terraform must see it from the working directory.
func rootModule(source, version string, backend *ir.InfraBackend, in moduleInputs) ([]byte, error) {
	call := map[string]any{"source": source}
	if version != "" {
		call["version"] = version
	}
	for k, v := range in.Extra {
		var val any
		if err := json.Unmarshal(v, &val); err != nil {
			return nil, fmt.Errorf("variables[%s]: %w", k, err)
		}
		call[k] = escapeTemplates(val)
	}
	call["name"] = escapeTemplates(in.Name)
	call["envoy_bootstrap"] = escapeTemplates(in.EnvoyBootstrap)
	call["ports"] = append([]uint32{}, in.Ports...)
	call["replicas"] = in.Replicas
	call["envoy_version"] = escapeTemplates(in.EnvoyVersion)
	if m := in.Infrastructure; m != nil {
		call["infrastructure"] = escapeTemplates(map[string]any{"labels": anyMap(m.Labels), "annotations": anyMap(m.Annotations)})
	}

	root := map[string]any{
		"module": map[string]any{"fleet": call},
		"output": map[string]any{"addresses": map[string]any{"value": "${module.fleet.addresses}"}},
	}
	if backend != nil && backend.Type != "local" {
		// Its settings go to init as -backend-config, so secrets in them
		// are not written into the file.
		root["terraform"] = map[string]any{"backend": map[string]any{backend.Type: map[string]any{}}}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// escapeTemplates makes every string literal: in Terraform's JSON syntax a
// string is a template, so "${" and "%{" must be doubled to mean
// themselves. Keys of objects are templates too.
func escapeTemplates(v any) any {
	switch x := v.(type) {
	case string:
		return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = escapeTemplates(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[escapeTemplates(k).(string)] = escapeTemplates(e)
		}
		return out
	}
	return v
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// moduleSource resolves a local source (./ or ../, relative to moduleRoot)
// to a path relative to dir, as Terraform wants local paths; other
// sources are Terraform's business. It returns the module's directory on
// disk too ("" when not local).
func moduleSource(source, moduleRoot, dir string) (tfSource, localDir string, err error) {
	if !resource.IsLocalModule(source) {
		return source, "", nil
	}
	abs, err := filepath.Abs(filepath.Join(moduleRoot, source))
	if err != nil {
		return "", "", err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return "", "", fmt.Errorf("module source %q: %s is not a directory", source, abs)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	rel, err := filepath.Rel(absDir, abs)
	if err != nil {
		return "", "", err
	}
	if !strings.HasPrefix(rel, "../") && !strings.HasPrefix(rel, "./") {
		rel = "./" + rel
	}
	return filepath.ToSlash(rel), abs, nil
}

// Variable is one variable block of a module.
type Variable struct {
	Name string
	// Type is the type expression as written ("list(number)"), "" if none.
	Type string
	// HasDefault: the variable is optional.
	HasDefault bool
}

// Output is one output block of a module.
type Output struct{ Name string }

// ModuleInterface reads a module directory's variables and outputs with
// hcl/v2, without Terraform: to know whether a module takes an input, and
// to check modules against the contract.
func ModuleInterface(dir string) (map[string]Variable, map[string]Output, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, nil, err
	}
	p := hclparse.NewParser()
	vars, outs := map[string]Variable{}, map[string]Output{}
	schema := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"name"}},
	}}
	var diags hcl.Diagnostics
	for _, f := range files {
		file, d := p.ParseHCLFile(f)
		diags = append(diags, d...)
		if file == nil {
			continue
		}
		content, _, d := file.Body.PartialContent(schema)
		diags = append(diags, d...)
		for _, b := range content.Blocks {
			name := b.Labels[0]
			if b.Type == "output" {
				outs[name] = Output{Name: name}
				continue
			}
			attrs, _ := b.Body.JustAttributes()
			v := Variable{Name: name}
			if a, ok := attrs["type"]; ok {
				v.Type = strings.TrimSpace(string(a.Expr.Range().SliceBytes(file.Bytes)))
			}
			_, v.HasDefault = attrs["default"]
			vars[name] = v
		}
	}
	if diags.HasErrors() {
		return nil, nil, diags
	}
	return vars, outs, nil
}
