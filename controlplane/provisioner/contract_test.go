package provisioner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var contractTypes = map[string]string{
	"name": "string", "envoy_bootstrap": "string", "ports": "list(number)", "replicas": "number", "envoy_version": "string",
}

// Every module under modules/ implements the contract of modules/README.md:
// its files exist, its inputs have the contract's types, it outputs
// addresses, and terraform fmt has nothing to change.
func TestModulesImplementTheContract(t *testing.T) {
	root := filepath.Join(repoRoot(t), "modules")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		seen++
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			for _, f := range []string{"README.md", "variables.tf", "outputs.tf", "versions.tf"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("missing %s", f)
				}
			}
			vars, outs, err := ModuleInterface(dir)
			if err != nil {
				t.Fatal(err)
			}
			for name, typ := range contractTypes {
				v, ok := vars[name]
				switch {
				case !ok:
					t.Errorf("variable %q missing", name)
				case strings.ReplaceAll(v.Type, " ", "") != typ:
					t.Errorf("variable %q has type %q, want %s", name, v.Type, typ)
				}
			}
			// The optional input must stay optional: the provisioner leaves
			// it out when no Gateway asks for labels or annotations.
			switch v, ok := vars["infrastructure"]; {
			case !ok:
				t.Error(`variable "infrastructure" missing`)
			case strings.Join(strings.Fields(v.Type), "") != "object({labels=map(string)annotations=map(string)})" || !v.HasDefault:
				t.Errorf(`variable "infrastructure" has type %q (default: %v), want object({labels = map(string), annotations = map(string)}) with a default`, v.Type, v.HasDefault)
			}
			if _, ok := outs["addresses"]; !ok {
				t.Error(`output "addresses" missing`)
			}
		})
	}
	if seen < 5 {
		t.Errorf("%d modules, want local, docker, aws, gcp, azure", seen)
	}
	bin, err := FindTerraform(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "fmt", "-check", "-recursive", root)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}
}

// The contract check finds a module that breaks it.
func TestModuleInterfaceSeesBreakage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "variables.tf"), []byte(`
variable "ports" {
  type = list(string)
  validation {
    condition     = length(var.ports) > 0
    error_message = "at least one"
  }
}
variable "name" {}
`), 0o644)
	vars, outs, err := ModuleInterface(dir)
	if err != nil {
		t.Fatal(err)
	}
	if vars["ports"].Type != "list(string)" || vars["name"].Type != "" || vars["name"].HasDefault || len(outs) != 0 {
		t.Errorf("vars %+v outs %+v", vars, outs)
	}
	os.WriteFile(filepath.Join(dir, "bad.tf"), []byte(`variable "x" {`), 0o644)
	if _, _, err := ModuleInterface(dir); err == nil {
		t.Error("a syntax error went unnoticed")
	}
}
