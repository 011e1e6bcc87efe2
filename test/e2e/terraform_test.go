package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/testutil/xdsclient"
)

// tfConfig is the Terraform quickstart in spirit: a fleet, a Gateway, three
// real backends, and a route that sends calls carrying x-pick: c to the
// backend var.pick and the rest to a and b by weight.
const tfConfig = `
terraform {
  required_providers {
    envoygateway = { source = "envoygateway/envoygateway" }
  }
}

provider "envoygateway" {}

variable "backends" { type = map(string) }
variable "pick" { type = string }
variable "weight_a" { type = number }
variable "weight_b" { type = number }

resource "envoygateway_gateway_class" "eg" {
  metadata = { name = "eg" }
  spec     = { controller_name = "gateway.envoyproxy.io/gatewayclass-controller" }
}

resource "envoygateway_gateway" "eg" {
  metadata = { name = "eg" }
  spec = {
    gateway_class_name = envoygateway_gateway_class.eg.metadata.name
    listeners          = [{ name = "http", protocol = "HTTP", port = 8080 }]
  }
}

resource "envoygateway_backend" "b" {
  for_each = var.backends
  metadata = { name = each.key }
  spec     = { endpoints = [{ address = each.value }] }
}

resource "envoygateway_http_route" "api" {
  metadata = { name = "api" }
  spec = {
    parent_refs = [{ name = envoygateway_gateway.eg.metadata.name }]
    hostnames   = ["api.example.com"]
    rules = [
      {
        matches      = [{ headers = [{ name = "x-pick", value = "c" }] }]
        backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = envoygateway_backend.b[var.pick].metadata.name }]
      },
      {
        backend_refs = [
          { group = "envoygateway.dev", kind = "Backend", name = envoygateway_backend.b["a"].metadata.name, weight = var.weight_a },
          { group = "envoygateway.dev", kind = "Backend", name = envoygateway_backend.b["b"].metadata.name, weight = var.weight_b },
        ]
      },
    ]
  }
}
`

// terraform runs the real Terraform CLI in dir with the locally built
// provider behind dev_overrides, so nothing is ever downloaded.
type terraform struct {
	bin, dir string
	env      []string
	vars     []string
}

func (tf *terraform) run(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // hang guard only
	defer cancel()
	cmd := exec.CommandContext(ctx, tf.bin, args...)
	cmd.Dir = tf.dir
	cmd.Env = tf.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (tf *terraform) apply(t *testing.T, pick string, weightA, weightB int) {
	t.Helper()
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color",
		"-var", "pick=" + pick, "-var", fmt.Sprintf("weight_a=%d", weightA), "-var", fmt.Sprintf("weight_b=%d", weightB)}
	tf.run(t, append(args, tf.vars...)...)
}

// terraformCLI finds the CLI the way the provider's tests do: the one
// `make test` names, else the one on PATH. Missing, the test fails rather
// than skips, so a machine without Terraform cannot pass silently.
func terraformCLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("this test needs the terraform CLI: put it on PATH or set TF_ACC_TERRAFORM_PATH (make test provides one)")
	}
	return p
}

// buildProvider builds terraform-provider-envoygateway from this checkout
// into a temp directory and writes a CLI config that overrides the
// provider's source with it.
func buildProvider(t *testing.T) (cliConfig string) {
	t.Helper()
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-envoygateway"), "github.com/envoygateway/terraform-provider-envoygateway")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build provider: %v\n%s", err, out)
	}
	cliConfig = filepath.Join(t.TempDir(), "terraformrc")
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides { "registry.terraform.io/envoygateway/envoygateway" = %q }
  direct { exclude = ["*/*/*"] }
}
`, bin)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	return cliConfig
}

// A terraform apply reaches a real xDS client: RPCs go where the Terraform
// config says, follow a changed config, and stop once it is destroyed.
func TestTerraformApplyRoutesRPCs(t *testing.T) {
	tfBin := terraformCLI(t)
	cliConfig := buildProvider(t)
	m, _ := startWithConfigServer(t)

	backends := []string{}
	for _, name := range []string{"a", "b", "c"} {
		host, port := xdsclient.StartBackend(t, name)
		backends = append(backends, fmt.Sprintf("%s = %q", name, fmt.Sprintf("%s:%d", host, port)))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tfConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	tf := &terraform{
		bin: tfBin, dir: dir,
		env: []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
			"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
			"ENVOYGATEWAY_ENDPOINT=http://" + m.ConfigServerAddr().String(),
			"ENVOYGATEWAY_TOKEN=" + m.ConfigServerToken(),
		},
		vars: []string{"-var", "backends={" + strings.Join(backends, ", ") + "}"},
	}
	// No init: with every provider under dev_overrides there is nothing to
	// install, and Terraform 1.11's init fails looking the provider up.
	tf.apply(t, "c", 50, 50)
	client := xdsclient.Dial(t, m.XDSAddr().String(), "eg", "e2e-terraform", "http-8080", grpc.WithAuthority("api.example.com"))
	t.Run("by header", func(t *testing.T) {
		xdsclient.WantBackend(t, client, "EmptyCall", "c", "x-pick", "c")
	})
	t.Run("by weight", func(t *testing.T) {
		seen := xdsclient.Spread(client, "EmptyCall", 200)
		// 50/50 over 200 calls: fewer than 40 on either side is far outside
		// chance, yet a route ignoring the weights fails.
		if seen["a"] < 40 || seen["b"] < 40 || seen["error"] > 0 {
			t.Fatalf("spread %v, want both a and b at least 40 of 200 and no errors", seen)
		}
	})

	t.Run("a changed config takes effect", func(t *testing.T) {
		tf.apply(t, "a", 0, 1)
		xdsclient.WantBackend(t, client, "EmptyCall", "b")
		xdsclient.WantBackend(t, client, "EmptyCall", "a", "x-pick", "c")
	})

	t.Run("destroy removes the route", func(t *testing.T) {
		tf.run(t, append([]string{"destroy", "-auto-approve", "-input=false", "-no-color",
			"-var", "pick=a", "-var", "weight_a=0", "-var", "weight_b=1"}, tf.vars...)...)
		xdsclient.Eventually(t, "calls fail once the route is destroyed", func() error {
			if got, err := xdsclient.Call(context.Background(), client, "EmptyCall"); err == nil {
				return fmt.Errorf("still routed to %q", got)
			}
			return nil
		})
	})
}
