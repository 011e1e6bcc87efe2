package grpcapi

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
)

// TLSConfig loads the same PEM files the HTTP API is configured with, so
// the gRPC API serves the same certificate and trusts the same client CA:
// a verified client certificate authenticates a call, as over HTTP.
func TLSConfig(t *server.TLSOptions) (*tls.Config, error) {
	if t == nil {
		return nil, nil
	}
	if t.CertFile == "" || t.KeyFile == "" {
		return nil, errors.New("config server gRPC TLS needs both a certificate and a key file")
	}
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("config server gRPC TLS: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if t.ClientCAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(t.ClientCAFile)
	if err != nil {
		return nil, fmt.Errorf("config server client CA: %w", err)
	}
	cfg.ClientCAs = x509.NewCertPool()
	if !cfg.ClientCAs.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("config server client CA %s: no PEM certificate in it", t.ClientCAFile)
	}
	cfg.ClientAuth = tls.VerifyClientCertIfGiven
	return cfg, nil
}
