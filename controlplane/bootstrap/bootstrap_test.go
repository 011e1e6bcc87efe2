package bootstrap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultsBindLoopbackOnly(t *testing.T) {
	cfg, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	for field, addr := range map[string]string{"xds": cfg.XDS.Address, "admin": cfg.Admin.Address} {
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Errorf("%s default %q is not loopback", field, addr)
		}
	}
	if cfg.Platform != PlatformStandalone || cfg.StorePath() != "data/store.db" || cfg.Provisioner.Enabled {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
}

func TestParseOverridesDefaults(t *testing.T) {
	cfg, err := Parse([]byte(`
platform: standalone
dataDir: /var/lib/eg
sources:
  files:
    paths: [examples/quickstart, /etc/gateway]
  server:
    address: 127.0.0.1:9443
xds:
  address: 0.0.0.0:18000
provisioner:
  enabled: true
envoyProxy:
  bootstrap:
    value: "node: {cluster: {{.Fleet}}}"
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Sources.Files.Paths; len(got) != 2 || got[1] != "/etc/gateway" {
		t.Errorf("paths = %v", got)
	}
	if cfg.XDS.Address != "0.0.0.0:18000" || cfg.Admin.Address != "127.0.0.1:18081" {
		t.Errorf("xds %q admin %q", cfg.XDS.Address, cfg.Admin.Address)
	}
	if cfg.StorePath() != "/var/lib/eg/store.db" {
		t.Errorf("store path %q", cfg.StorePath())
	}
	if cfg.EnvoyProxy.Bootstrap.Type != BootstrapReplace {
		t.Errorf("bootstrap type %q", cfg.EnvoyProxy.Bootstrap.Type)
	}
}

func TestParseRefusesBadInputNamingTheField(t *testing.T) {
	cases := []struct {
		name, in, field string
	}{
		{"unknown top-level field", "platfrom: standalone", `"platfrom"`},
		{"unknown nested field", "xds:\n  adress: 127.0.0.1:1", `"xds.adress"`},
		{"duplicate field", "platform: standalone\nplatform: standalone", `"platform"`},
		{"wrong type", "xds: [1, 2]", "xds"},
		{"wrong nested type", "sources:\n  files:\n    paths: notalist", "sources.files.paths"},
		{"bad platform", "platform: mainframe", "platform"},
		{"kubernetes not yet", "platform: kubernetes", "platform"},
		{"bad xds port", "xds:\n  address: 127.0.0.1:99999", "xds.address"},
		{"missing xds port", "xds:\n  address: localhost", "xds.address"},
		{"empty file paths", "sources:\n  files:\n    paths: []", "sources.files.paths"},
		{"empty file path entry", "sources:\n  files:\n    paths: ['']", "sources.files.paths[0]"},
		{"bad server address", "sources:\n  server:\n    address: nope", "sources.server.address"},
		{"bad log level", "logging:\n  level: loud", "logging.level"},
		{"bad store type", "store:\n  type: sqlite", "store.type"},
		{"bad controller", "controllerName: plain", "controllerName"},
		{"bad bootstrap type", "envoyProxy:\n  bootstrap:\n    type: Merge\n    value: x", "envoyProxy.bootstrap.type"},
		{"bad bootstrap template", "envoyProxy:\n  bootstrap:\n    value: '{{.Fleet'", "envoyProxy.bootstrap.value"},
		{"not yaml", "xds: [", "YAML"},
		{"bad kind", "kind: Gateway", "kind"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse([]byte("platform: x\nlogging:\n  level: loud"))
	if err == nil || !strings.Contains(err.Error(), "platform") || !strings.Contains(err.Error(), "logging.level") {
		t.Fatalf("want both fields named, got %v", err)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "eg.yaml")
	if err := os.WriteFile(p, []byte("bogus: 1"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("got %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestConfigServerOnByDefaultAndCanBeTurnedOff(t *testing.T) {
	cfg, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sources.Server == nil || cfg.ServerAddress() != "127.0.0.1:18080" || cfg.ServerGRPCAddress() != "127.0.0.1:18082" {
		t.Fatalf("default config server %+v at %s / %s", cfg.Sources.Server, cfg.ServerAddress(), cfg.ServerGRPCAddress())
	}
	cfg, err = Parse([]byte("sources:\n  server: null\n  files:\n    paths: [x]"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sources.Server != nil {
		t.Error("server: null did not turn the config server off")
	}
	if _, err := Parse([]byte("sources:\n  server:\n    grpcAddress: nope")); err == nil || !strings.Contains(err.Error(), "sources.server.grpcAddress") {
		t.Errorf("bad grpcAddress: %v", err)
	}
}
