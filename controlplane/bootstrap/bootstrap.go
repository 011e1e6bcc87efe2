// Package bootstrap is the Bootstrap Config: the one YAML file that tells
// `envoy-gateway server` what to run. Load refuses anything it does not
// understand, naming the field, because a typo in a config file that is
// silently ignored is the hardest kind of outage to debug.
package bootstrap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	stdjson "encoding/json"

	"sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Platform is where the control plane runs.
type Platform string

const (
	// PlatformStandalone runs on a VM or in a container, without Kubernetes.
	PlatformStandalone Platform = "standalone"
	// PlatformKubernetes is reserved for the Kubernetes config source.
	PlatformKubernetes Platform = "kubernetes"
)

// Config is the whole Bootstrap Config. The zero value is not useful; start
// from Default() or Load().
type Config struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`

	Platform Platform `json:"platform,omitempty"`
	// ControllerName selects the GatewayClasses this control plane handles.
	ControllerName string `json:"controllerName,omitempty"`
	// DataDir holds the store, the API token and the fleets' working dirs.
	DataDir string `json:"dataDir,omitempty"`

	Logging     Logging     `json:"logging,omitempty"`
	Sources     Sources     `json:"sources,omitempty"`
	XDS         XDS         `json:"xds,omitempty"`
	Admin       Admin       `json:"admin,omitempty"`
	Store       Store       `json:"store,omitempty"`
	Provisioner Provisioner `json:"provisioner,omitempty"`
	EnvoyProxy  EnvoyProxy  `json:"envoyProxy,omitempty"`
}

// Logging configures the server's structured log.
type Logging struct {
	// Level is debug, info, warn or error.
	Level string `json:"level,omitempty"`
	// Format is text or json.
	Format string `json:"format,omitempty"`
}

// Sources names the config sources to run. Each one publishes its own
// snapshot of resources; the translator merges them.
type Sources struct {
	Files  *FileSource   `json:"files,omitempty"`
	Server *ServerSource `json:"server,omitempty"`
}

// FileSource is the Path Watcher: files and directories of YAML/JSON manifests.
type FileSource struct {
	Paths []string `json:"paths"`
}

// ServerSource is the Config Server: the HTTP/gRPC API the Terraform provider talks to.
type ServerSource struct {
	// Address is host:port; empty means DefaultServerAddress (loopback).
	Address string `json:"address,omitempty"`
	// GRPCAddress serves the same API over gRPC; empty means
	// DefaultServerGRPCAddress (loopback). It is a port of its own.
	GRPCAddress string `json:"grpcAddress,omitempty"`
	// TokenFile holds the API bearer token; empty means api-token in the
	// data directory. It is generated at first start.
	TokenFile string `json:"tokenFile,omitempty"`
	// DisableToken turns bearer tokens off; client certificates
	// (tls.clientCAFile) are then the only way in, and are required.
	DisableToken bool `json:"disableToken,omitempty"`
	// TLS serves HTTPS, and with clientCAFile accepts client certificates
	// (mTLS) as credentials.
	TLS *ServerTLS `json:"tls,omitempty"`
	// MaxRequestBytes caps a request body; 0 means 3 MiB, kube-apiserver's limit.
	MaxRequestBytes int64 `json:"maxRequestBytes,omitempty"`
}

// ServerTLS names PEM files.
type ServerTLS struct {
	CertFile     string `json:"certFile"`
	KeyFile      string `json:"keyFile"`
	ClientCAFile string `json:"clientCAFile,omitempty"`
}

// DefaultServerAddress is where the Config Server listens unless told:
// loopback only, beside xDS (18000) and admin (18081).
const DefaultServerAddress = "127.0.0.1:18080"

// DefaultServerGRPCAddress is where the Config Server's gRPC API listens.
const DefaultServerGRPCAddress = "127.0.0.1:18082"

// ServerGRPCAddress is sources.server.grpcAddress, or DefaultServerGRPCAddress.
func (c *Config) ServerGRPCAddress() string {
	if s := c.Sources.Server; s != nil && s.GRPCAddress != "" {
		return s.GRPCAddress
	}
	return DefaultServerGRPCAddress
}

// ServerAddress is sources.server.address, or DefaultServerAddress.
func (c *Config) ServerAddress() string {
	if s := c.Sources.Server; s != nil && s.Address != "" {
		return s.Address
	}
	return DefaultServerAddress
}

// ServerTokenFile is sources.server.tokenFile, or api-token in the data
// directory.
func (c *Config) ServerTokenFile() string {
	if s := c.Sources.Server; s != nil && s.TokenFile != "" {
		return s.TokenFile
	}
	return joinPath(c.DataDir, "api-token")
}

// XDS configures the xDS server the Envoy fleets connect to.
type XDS struct {
	Address string `json:"address,omitempty"`
}

// Admin configures the health endpoints (/healthz, /readyz).
type Admin struct {
	Address string `json:"address,omitempty"`
}

// StoreType selects the Config Server's persistence.
type StoreType string

const (
	StoreBBolt StoreType = "bbolt"
	StoreEtcd  StoreType = "etcd"
)

// Store configures the Config Server's persistence.
type Store struct {
	Type StoreType `json:"type,omitempty"`
	// Path is the bbolt file; default <dataDir>/store.db.
	Path string `json:"path,omitempty"`
}

// Provisioner configures the per-GatewayClass Terraform runs.
type Provisioner struct {
	Enabled bool `json:"enabled,omitempty"`
	// TerraformPath is the terraform binary; empty means search PATH.
	TerraformPath string `json:"terraformPath,omitempty"`
	// ModuleRoot resolves EnvoyFleet module sources that start with ./ or
	// ../; empty means the server's working directory.
	ModuleRoot string `json:"moduleRoot,omitempty"`
	// ProxyCommand is what modules/local runs as a proxy; empty means
	// "envoy" when it is on PATH, else this binary's probe command.
	ProxyCommand string `json:"proxyCommand,omitempty"`
}

// EnvoyProxy configures what the proxies of every fleet are given.
type EnvoyProxy struct {
	Bootstrap *BootstrapOverride `json:"bootstrap,omitempty"`
}

// BootstrapOverrideType says how a custom bootstrap combines with ours.
type BootstrapOverrideType string

// BootstrapReplace replaces the embedded template with Value.
const BootstrapReplace BootstrapOverrideType = "Replace"

// BootstrapOverride is a custom Envoy bootstrap template (Go text/template
// with the same fields as the embedded one).
type BootstrapOverride struct {
	Type  BootstrapOverrideType `json:"type,omitempty"`
	Value string                `json:"value"`
}

// Default returns the configuration used without --config: it works on a
// laptop and binds only to 127.0.0.1.
func Default() *Config {
	return &Config{
		APIVersion:     "envoygateway.dev/v1alpha1",
		Kind:           "EnvoyGateway",
		Platform:       PlatformStandalone,
		ControllerName: "gateway.envoyproxy.io/gatewayclass-controller",
		DataDir:        "data",
		Logging:        Logging{Level: "info", Format: "text"},
		// The Config Server is on by default: it is what the Terraform
		// provider and the CLI talk to.
		Sources: Sources{Server: &ServerSource{}},
		XDS:     XDS{Address: "127.0.0.1:18000"},
		Admin:   Admin{Address: "127.0.0.1:18081"},
		Store:   Store{Type: StoreBBolt},
	}
}

// Load reads a config file over the defaults and validates the result.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes YAML or JSON over the defaults, strictly, and validates it.
func Parse(data []byte) (*Config, error) {
	cfg := Default()
	if len(bytes.TrimSpace(data)) > 0 {
		jsonData, err := yaml.YAMLToJSONStrict(data)
		if err != nil {
			return nil, fmt.Errorf("not valid YAML: %w", err)
		}
		strict, err := json.UnmarshalStrict(jsonData, cfg, json.DisallowUnknownFields, json.DisallowDuplicateFields)
		if err != nil {
			return nil, cleanJSONError(err)
		}
		if len(strict) > 0 {
			msgs := make([]string, len(strict))
			for i, e := range strict {
				msgs[i] = e.Error()
			}
			return nil, errors.New(strings.Join(msgs, "; "))
		}
	}
	cfg.applyDerivedDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// cleanJSONError turns encoding/json's type errors into "field: message".
func cleanJSONError(err error) error {
	var te *stdjson.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("%s: wrong type: got %s, want %s", te.Field, te.Value, typeName(te.Type))
	}
	return err
}

// typeName names a Go type the way a YAML author thinks of it.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "list of " + typeName(t.Elem())
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	default:
		return "number"
	}
}

func (c *Config) applyDerivedDefaults() {
	if c.EnvoyProxy.Bootstrap != nil && c.EnvoyProxy.Bootstrap.Type == "" {
		c.EnvoyProxy.Bootstrap.Type = BootstrapReplace
	}
}

// StorePath is the bbolt file: store.path, or store.db in the data directory.
func (c *Config) StorePath() string {
	if c.Store.Path != "" {
		return c.Store.Path
	}
	return joinPath(c.DataDir, "store.db")
}

func joinPath(dir, file string) string {
	if dir == "" {
		return file
	}
	return strings.TrimRight(dir, "/") + "/" + file
}
