package provider

import (
	"strings"
	"testing"
)

func TestIsDestroy(t *testing.T) {
	for _, c := range []struct {
		cmdline, env string
		want         bool
	}{
		{"/usr/local/bin/terraform destroy -auto-approve", "", true},
		{"terraform -chdir=infra destroy", "", true},
		{"terraform apply -destroy -auto-approve", "", true},
		{"terraform plan --destroy", "", true},
		{"terraform plan -destroy=true -out=p", "", true},
		{"tofu destroy", "", true},
		{"terraform plan", "TF_CLI_ARGS_plan=-destroy", true},
		{"terraform apply -auto-approve", "TF_CLI_ARGS=-destroy", true},
		{"terraform plan -destroy=false", "", false},
		{"terraform plan", "", false},
		{"terraform apply -auto-approve", "TF_CLI_ARGS_plan=-destroy", false},
		{"terraform -chdir=destroy plan", "", false},
		{"terraform plan -var=destroy", "", false},
		// Not a Terraform CLI (a test binary serving the provider, a shell).
		{"/tmp/provider.test -test.run destroy", "", false},
		{"bash -c terraform destroy", "", false},
		{"", "", false},
	} {
		env := map[string]string{}
		if k, v, ok := strings.Cut(c.env, "="); ok {
			env[k] = v
		}
		if got := isDestroy(strings.Fields(c.cmdline), func(k string) string { return env[k] }); got != c.want {
			t.Errorf("%q (%s): %v, want %v", c.cmdline, c.env, got, c.want)
		}
	}
}
