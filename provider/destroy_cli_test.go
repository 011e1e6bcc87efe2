package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

// An invalid configuration fails `terraform plan` at the field but does
// not block `terraform destroy`, whose refresh is a plan of that same
// configuration. The provider learns it serves a destroy from the CLI
// that started it, so this test runs the built provider binary under the
// real CLI, as users do, not in the test process.
func TestCLIDestroyWithInvalidConfig(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{Translator: true})
	dir := t.TempDir()
	tf := cliRunner(t, dir)
	p := fmt.Sprintf("provider \"envoygateway\" {\n  endpoint = %q\n  token    = %q\n}\n", s.Endpoint, s.Token)
	write := func(cfg string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cliHeader+p+cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(routeConfig("/a", `"a.example.com"`))
	if out, err := tf("apply", "-auto-approve"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}

	write(routeConfig("no-slash", `"a.example.com"`))
	out, err := tf("plan")
	if err == nil || !strings.Contains(out, "would reject this HTTPRoute") || !strings.Contains(out, "spec.rules[0].matches[0].path") {
		t.Fatalf("plan of an invalid path: want the dry-run's refusal naming the field, got %v\n%s", err, out)
	}
	if out, err := tf("destroy", "-auto-approve"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	c, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, Token: s.Token})
	if err != nil {
		t.Fatal(err)
	}
	gvk := schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"}
	if _, err := c.Get(context.Background(), gvk, "default", "r"); !apierrors.IsNotFound(err) {
		t.Fatalf("after destroy, the route: %v, want not found", err)
	}
}

const cliHeader = `terraform {
  required_providers {
    envoygateway = { source = "envoygateway/envoygateway" }
  }
}
`

// cliRunner builds the provider binary and returns a function that runs
// the Terraform CLI in dir with it behind dev_overrides (so no init and
// no registry).
func cliRunner(t *testing.T, dir string) func(args ...string) (string, error) {
	t.Helper()
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-envoygateway"), "github.com/envoygateway/terraform-provider-envoygateway")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build provider: %v\n%s", err, out)
	}
	rc := filepath.Join(bin, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides { \"registry.terraform.io/envoygateway/envoygateway\" = %q }\n  direct { exclude = [\"*/*/*\"] }\n}\n", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	return func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // hang guard only
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-input=false", "-no-color")...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}
