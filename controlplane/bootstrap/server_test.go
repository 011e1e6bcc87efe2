package bootstrap

import (
	"strings"
	"testing"
)

func TestServerSourceDefaults(t *testing.T) {
	cfg, err := Parse([]byte("dataDir: /var/lib/eg\nsources:\n  server: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ServerAddress() != "127.0.0.1:18080" || cfg.ServerTokenFile() != "/var/lib/eg/api-token" {
		t.Errorf("defaults: address %q token %q", cfg.ServerAddress(), cfg.ServerTokenFile())
	}
	s := cfg.Sources.Server
	if s.DisableToken || s.TLS != nil || s.MaxRequestBytes != 0 {
		t.Errorf("auth or limits changed by default: %+v", s)
	}
}

func TestServerSourceFields(t *testing.T) {
	cfg, err := Parse([]byte(`
sources:
  server:
    address: 127.0.0.1:9443
    tokenFile: /etc/eg/token
    disableToken: true
    maxRequestBytes: 1048576
    tls: {certFile: /etc/eg/tls.crt, keyFile: /etc/eg/tls.key, clientCAFile: /etc/eg/ca.crt}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Sources.Server
	if cfg.ServerAddress() != "127.0.0.1:9443" || cfg.ServerTokenFile() != "/etc/eg/token" || !s.DisableToken ||
		s.MaxRequestBytes != 1<<20 || s.TLS.ClientCAFile != "/etc/eg/ca.crt" || s.TLS.KeyFile != "/etc/eg/tls.key" {
		t.Errorf("parsed: %+v %+v", s, s.TLS)
	}
}

func TestServerSourceRefusals(t *testing.T) {
	cases := []struct{ name, in, field string }{
		{"no authentication at all", "disableToken: true", "sources.server.disableToken"},
		{"tokens off, TLS without client CA", "disableToken: true\n    tls: {certFile: a, keyFile: b}", "sources.server.disableToken"},
		{"TLS without a key", "tls: {certFile: a}", "sources.server.tls.keyFile"},
		{"TLS without a certificate", "tls: {keyFile: a}", "sources.server.tls.certFile"},
		{"negative limit", "maxRequestBytes: -1", "sources.server.maxRequestBytes"},
		{"misspelt field", "tokenfile: x", "tokenfile"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte("sources:\n  server:\n    " + c.in + "\n"))
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Errorf("got %v, want an error naming %s", err, c.field)
			}
		})
	}
}
