package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

// TestMain points terraform-plugin-testing at the real Terraform CLI, so
// the acceptance tests run by default: they need no cloud, only a control
// plane each test starts on loopback. A CLI config of our own keeps
// Terraform off any registry.
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		tf, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "provider tests need the terraform CLI: put it on PATH or set TF_ACC_TERRAFORM_PATH (make test provides one)")
			os.Exit(1)
		}
		os.Setenv("TF_ACC_TERRAFORM_PATH", tf)
	}
	dir, err := os.MkdirTemp("", "envoygateway-tfcli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cfg, []byte("provider_installation {\n  direct {\n    exclude = [\"*/*/*\"]\n  }\n}\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	os.Setenv("TF_ACC", "1")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var providerFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"envoygateway": NewServer("test"),
}

// controlPlane starts a Config Server with the translator writing status
// back, and returns the provider block that talks to it.
func controlPlane(t *testing.T) string {
	t.Helper()
	s := apiclienttest.Start(t, apiclienttest.Options{Translator: true})
	return fmt.Sprintf("provider \"envoygateway\" {\n  endpoint = %q\n  token    = %q\n}\n", s.Endpoint, s.Token)
}
