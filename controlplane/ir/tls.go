package ir

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// FilterChain is one class of connections on a TLS port, picked by SNI.
type FilterChain struct {
	// Name is unique within the fleet and stable; an HTTP chain's routes
	// are served under it (RDS).
	Name string `json:"name"`
	// ServerNames are the SNI names (exact or "*.suffix") the chain takes;
	// empty takes what no other chain of the listener does.
	ServerNames []string `json:"serverNames,omitempty"`
	// Terminate is nil for TLS passthrough: the bytes are forwarded as
	// they come and the backend terminates TLS.
	Terminate *TLSTerminate `json:"terminate,omitempty"`
	// Exactly one of HTTP and Proxy is set.
	HTTP  *HTTPChain `json:"http,omitempty"`
	Proxy *L4Proxy   `json:"proxy,omitempty"`
}

// TLSTerminate ends TLS at the proxy.
type TLSTerminate struct {
	// Certificates name entries of Xds.Secrets; the client's SNI picks one.
	Certificates []string `json:"certificates"`
	// ClientValidation, when set, makes the proxy ask clients for a
	// certificate and verify it (Gateway spec.tls.frontend).
	ClientValidation *ClientValidation `json:"clientValidation,omitempty"`
}

// ClientValidation is how a chain verifies client certificates.
type ClientValidation struct {
	// TrustedCA names the entry of Xds.Secrets (a TrustedCA secret) that
	// client certificates must chain to; SDS delivers it, so a new CA
	// bundle changes no listener.
	TrustedCA string `json:"trustedCA"`
	// Optional also accepts clients that send no certificate or one that
	// fails verification (AllowInsecureFallback).
	Optional bool `json:"optional,omitempty"`
}

// HTTPChain serves HTTP over the decrypted connection (an HTTPS listener).
type HTTPChain struct {
	// VirtualHosts are as in Listener.VirtualHosts.
	VirtualHosts []*VirtualHost `json:"virtualHosts,omitempty"`
}

// L4Proxy forwards whole connections (TCP) or datagrams (UDP).
type L4Proxy struct {
	// Route names the source route, e.g. "tcproute/ns/name/rule/0".
	Route string `json:"route"`
	// Backends are weighted; empty means the route had no valid backend,
	// and connections are closed.
	Backends []WeightedCluster `json:"backends,omitempty"`
}

// Secret is either a certificate chain and its private key, or (TrustedCA)
// a bundle of CA certificates that a peer's certificate must chain to; all
// PEM.
type Secret struct {
	// Name is stable, e.g. "secret/ns/name".
	Name        string     `json:"name"`
	Certificate []byte     `json:"certificate,omitempty"`
	PrivateKey  PrivateKey `json:"privateKey,omitempty"`
	// TrustedCA is set instead of Certificate and PrivateKey.
	TrustedCA []byte `json:"trustedCA,omitempty"`
}

// PrivateKey is PEM key material. It renders only as a digest, so that
// `translate --to ir`, golden files and any log that prints an IR never
// show a key, yet still show when it changed.
type PrivateKey []byte

// String is what a log or a %v sees.
func (k PrivateKey) String() string {
	if len(k) == 0 {
		return ""
	}
	sum := sha256.Sum256(k)
	return "redacted, sha256:" + hex.EncodeToString(sum[:8])
}

// MarshalJSON never writes the key itself.
func (k PrivateKey) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// GoString keeps %#v from printing the bytes.
func (k PrivateKey) GoString() string { return k.String() }

// UpstreamTLS is how the proxy verifies a backend it reaches over TLS.
type UpstreamTLS struct {
	// SNI is sent in the ClientHello.
	SNI string `json:"sni"`
	// Exactly one of CACertificate and SystemCA is set: the PEM bundle
	// that must sign the backend's certificate, or the proxy host's own
	// trust store.
	CACertificate string `json:"caCertificate,omitempty"`
	SystemCA      bool   `json:"systemCA,omitempty"`
	// SubjectAltNames, any of which the backend's certificate must carry.
	SubjectAltNames []SubjectAltName `json:"subjectAltNames"`
	// ClientCertificate, when set, names the entry of Xds.Secrets the proxy
	// presents to the backend (Gateway spec.tls.backend).
	ClientCertificate string `json:"clientCertificate,omitempty"`
}

// SubjectAltName is one name a backend certificate may present; exactly
// one field is set.
type SubjectAltName struct {
	Hostname string `json:"hostname,omitempty"`
	URI      string `json:"uri,omitempty"`
}
