package apiclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// DefaultEndpoint is the Config Server's default address.
const DefaultEndpoint = "http://127.0.0.1:18080"

// Environment variables that supply what Options leave empty.
const (
	EnvEndpoint  = "ENVOYGATEWAY_ENDPOINT"
	EnvToken     = "ENVOYGATEWAY_TOKEN"
	EnvTokenFile = "ENVOYGATEWAY_TOKEN_FILE"
)

// Options say where the Config Server is and how to authenticate.
type Options struct {
	// Endpoint is the server's base URL ("https://cp.example:18080"). A
	// bare host:port means http, or https when TLS is configured. Empty
	// means DefaultEndpoint.
	Endpoint string
	// Token is the bearer token. TokenFile is read when Token is empty.
	Token     string
	TokenFile string
	TLS       TLSOptions
	// UserAgent names the caller in the server's logs.
	UserAgent string
}

// TLSOptions configure https endpoints. Files are PEM.
type TLSOptions struct {
	// CAFile verifies the server; empty means the system roots.
	CAFile string
	// CertFile and KeyFile are a client certificate, for mTLS.
	CertFile string
	KeyFile  string
	// ServerName overrides the name the server's certificate must have.
	ServerName string
	// InsecureSkipVerify trusts any server certificate. Tests only.
	InsecureSkipVerify bool
}

func (t TLSOptions) configured() bool {
	return t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.ServerName != "" || t.InsecureSkipVerify
}

// WithEnv fills what o leaves empty from the environment: the endpoint from
// ENVOYGATEWAY_ENDPOINT, and, when neither Token nor TokenFile is set, the
// token from ENVOYGATEWAY_TOKEN or else ENVOYGATEWAY_TOKEN_FILE. What the
// caller set explicitly (a flag, a provider attribute) always wins.
func (o Options) WithEnv() Options {
	if o.Endpoint == "" {
		o.Endpoint = os.Getenv(EnvEndpoint)
	}
	if o.Token == "" && o.TokenFile == "" {
		o.Token = os.Getenv(EnvToken)
		if o.Token == "" {
			o.TokenFile = os.Getenv(EnvTokenFile)
		}
	}
	return o
}

// baseURL parses the endpoint.
func (o Options) baseURL() (*url.URL, error) {
	ep := strings.TrimSpace(o.Endpoint)
	if ep == "" {
		ep = DefaultEndpoint
	}
	if !strings.Contains(ep, "://") {
		scheme := "http"
		if o.TLS.configured() {
			scheme = "https"
		}
		ep = scheme + "://" + ep
	}
	u, err := url.Parse(ep)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %v", o.Endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("endpoint %q: scheme must be http or https", o.Endpoint)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("endpoint %q: no host", o.Endpoint)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// token resolves the bearer token; "" when none is configured, which only
// works against a server that authenticates by client certificate.
func (o Options) token() (string, error) {
	if o.Token != "" {
		return strings.TrimSpace(o.Token), nil
	}
	if o.TokenFile == "" {
		return "", nil
	}
	data, err := os.ReadFile(o.TokenFile)
	if err != nil {
		return "", fmt.Errorf("reading the API token: %w", err)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", fmt.Errorf("API token file %s is empty", o.TokenFile)
	}
	return tok, nil
}

func (t TLSOptions) config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it", t.CAFile)
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		return nil, errors.New("a client certificate needs both a certificate and a key file")
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
