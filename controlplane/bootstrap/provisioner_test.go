package bootstrap

import (
	"strings"
	"testing"
)

func TestParseProvisioner(t *testing.T) {
	cfg, err := Parse([]byte("provisioner:\n  enabled: true\n  moduleRoot: /opt/eg\n  proxyCommand: /usr/local/bin/envoy --concurrency 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Provisioner
	if !p.Enabled || p.ModuleRoot != "/opt/eg" || p.ProxyCommand != "/usr/local/bin/envoy --concurrency 2" {
		t.Errorf("provisioner %+v", p)
	}
	if _, err := Parse([]byte("provisioner:\n  moduleroot: x\n")); err == nil || !strings.Contains(err.Error(), "provisioner.moduleroot") {
		t.Errorf("misspelt field: %v", err)
	}
}
