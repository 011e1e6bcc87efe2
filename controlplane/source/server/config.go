package server

import "github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"

// OptionsFrom reads the server's options from the Bootstrap Config
// (sources.server, with the defaults the config derives: the loopback
// address and api-token in the data directory).
func OptionsFrom(cfg *bootstrap.Config) Options {
	opts := Options{Address: cfg.ServerAddress(), TokenFile: cfg.ServerTokenFile()}
	s := cfg.Sources.Server
	if s == nil {
		return opts
	}
	opts.DisableToken = s.DisableToken
	opts.MaxBodyBytes = s.MaxRequestBytes
	if s.TLS != nil {
		opts.TLS = &TLSOptions{CertFile: s.TLS.CertFile, KeyFile: s.TLS.KeyFile, ClientCAFile: s.TLS.ClientCAFile}
	}
	return opts
}
