package bootstrap

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"text/template"
)

// Validate checks every field and reports all problems at once, each
// prefixed with its field path.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}

	if c.APIVersion != "" && c.APIVersion != "envoygateway.dev/v1alpha1" {
		bad("apiVersion", "unsupported value %q: want envoygateway.dev/v1alpha1", c.APIVersion)
	}
	if c.Kind != "" && c.Kind != "EnvoyGateway" {
		bad("kind", "unsupported value %q: want EnvoyGateway", c.Kind)
	}
	switch c.Platform {
	case PlatformStandalone:
	case PlatformKubernetes:
		bad("platform", "%q is not supported yet: use %q", c.Platform, PlatformStandalone)
	default:
		bad("platform", "unsupported value %q: want %q", c.Platform, PlatformStandalone)
	}
	if c.ControllerName == "" || !strings.Contains(c.ControllerName, "/") {
		bad("controllerName", "invalid value %q: want a domain-prefixed path such as gateway.envoyproxy.io/gatewayclass-controller", c.ControllerName)
	}
	if c.DataDir == "" {
		bad("dataDir", "must not be empty")
	}
	switch c.Logging.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("logging.level", "unsupported value %q: want debug, info, warn or error", c.Logging.Level)
	}
	switch c.Logging.Format {
	case "text", "json":
	default:
		bad("logging.format", "unsupported value %q: want text or json", c.Logging.Format)
	}
	if f := c.Sources.Files; f != nil {
		if len(f.Paths) == 0 {
			bad("sources.files.paths", "must list at least one file or directory")
		}
		for i, p := range f.Paths {
			if strings.TrimSpace(p) == "" {
				bad(fmt.Sprintf("sources.files.paths[%d]", i), "must not be empty")
			}
		}
	}
	if s := c.Sources.Server; s != nil {
		if s.Address != "" {
			if err := checkAddress(s.Address); err != nil {
				bad("sources.server.address", "%v", err)
			}
		}
		if s.GRPCAddress != "" {
			if err := checkAddress(s.GRPCAddress); err != nil {
				bad("sources.server.grpcAddress", "%v", err)
			}
		}
		if t := s.TLS; t != nil {
			if t.CertFile == "" {
				bad("sources.server.tls.certFile", "must not be empty")
			}
			if t.KeyFile == "" {
				bad("sources.server.tls.keyFile", "must not be empty")
			}
		}
		if s.DisableToken && (s.TLS == nil || s.TLS.ClientCAFile == "") {
			bad("sources.server.disableToken", "needs sources.server.tls.clientCAFile: the config server does not run without authentication")
		}
		if s.MaxRequestBytes < 0 {
			bad("sources.server.maxRequestBytes", "must not be negative")
		}
	}
	if err := checkAddress(c.XDS.Address); err != nil {
		bad("xds.address", "%v", err)
	}
	if err := checkAddress(c.Admin.Address); err != nil {
		bad("admin.address", "%v", err)
	}
	switch c.Store.Type {
	case StoreBBolt:
	case StoreEtcd:
		bad("store.type", "%q is not supported yet: use %q", c.Store.Type, StoreBBolt)
	default:
		bad("store.type", "unsupported value %q: want %q", c.Store.Type, StoreBBolt)
	}
	if b := c.EnvoyProxy.Bootstrap; b != nil {
		if b.Type != BootstrapReplace {
			bad("envoyProxy.bootstrap.type", "unsupported value %q: want %q", b.Type, BootstrapReplace)
		}
		if strings.TrimSpace(b.Value) == "" {
			bad("envoyProxy.bootstrap.value", "must not be empty")
		} else if _, err := template.New("bootstrap").Option("missingkey=error").Parse(b.Value); err != nil {
			bad("envoyProxy.bootstrap.value", "not a valid template: %v", err)
		}
	}
	return errors.Join(errs...)
}

// checkAddress accepts host:port with a numeric port. Port 0 asks the OS
// for a free port (tests use it); the server logs the port it got.
func checkAddress(addr string) error {
	if addr == "" {
		return errors.New("must not be empty")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid value %q: want host:port", addr)
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		return fmt.Errorf("invalid host %q", host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid port %q in %q: want 0-65535", port, addr)
	}
	return nil
}
