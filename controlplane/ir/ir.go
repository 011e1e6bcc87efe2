// Package ir is the intermediate representation between the Gateway API
// Translator and the xDS Translator.
//
// One Xds value describes everything one Envoy fleet (one GatewayClass) must
// serve. It is deliberately small: the Gateway API translator resolves every
// reference, precedence rule and hostname intersection, so the xDS
// translator only has to render. Variants that exclude each other are modelled
// as exactly-one-of pointers on a small struct (Action), never as a wide
// struct of independent optionals.
package ir

import "time"

// Xds is the data-plane configuration of one GatewayClass's fleet.
type Xds struct {
	// Fleet is the GatewayClass name; proxies join it with node.cluster.
	Fleet string `json:"fleet"`
	// Listeners are sorted by Port; at most one per port.
	Listeners []*Listener `json:"listeners,omitempty"`
	// Clusters are every backend a route of this fleet sends traffic to,
	// sorted by Name. A route never names a cluster that is not here.
	Clusters []*Cluster `json:"clusters,omitempty"`
	// Secrets are the certificates TLS filter chains name, sorted by Name.
	// They reach Envoy over SDS, so a rotation changes no listener.
	Secrets []*Secret `json:"secrets,omitempty"`
}

// Protocol is the protocol of a listener port.
type Protocol string

const (
	ProtocolHTTP Protocol = "HTTP"
	// ProtocolTLS is a port whose connections start with TLS: Gateway
	// listeners of protocol HTTPS and TLS share it, told apart by SNI.
	ProtocolTLS Protocol = "TLS"
	ProtocolTCP Protocol = "TCP"
	ProtocolUDP Protocol = "UDP"
)

// Listener is one port of the fleet, merged from every Gateway listener of
// the class on that port.
type Listener struct {
	// Name is unique within the fleet and stable across changes, e.g. "http-8080".
	Name     string   `json:"name"`
	Address  string   `json:"address"`
	Port     uint32   `json:"port"`
	Protocol Protocol `json:"protocol"`
	// VirtualHosts are sorted by Name; a request's :authority picks one by
	// Hostname, with exact names preferred over wildcards. HTTP only.
	VirtualHosts []*VirtualHost `json:"virtualHosts,omitempty"`
	// FilterChains are a TLS port's chains, sorted by Name. TLS only.
	FilterChains []*FilterChain `json:"filterChains,omitempty"`
	// Proxy forwards a TCP or UDP port's traffic; nil when no route
	// attached (connections are refused). TCP and UDP only.
	Proxy *L4Proxy `json:"proxy,omitempty"`
}

// VirtualHost is one hostname served on a listener.
type VirtualHost struct {
	Name string `json:"name"`
	// Hostname is an exact name, a "*.suffix" wildcard, or "*".
	Hostname string `json:"hostname"`
	// Routes are in match precedence order: the first that matches wins.
	Routes []*Route `json:"routes,omitempty"`
}

// Route is one HTTPRoute match with the action of its rule.
type Route struct {
	// Name identifies the source: "httproute/<ns>/<name>/rule/<i>/match/<j>".
	Name   string `json:"name"`
	Match  Match  `json:"match"`
	Action Action `json:"action"`
	// Filters applied whatever the action.
	RequestHeaders  *HeaderModifier `json:"requestHeaders,omitempty"`
	ResponseHeaders *HeaderModifier `json:"responseHeaders,omitempty"`
}

// PathMatchType is how a path is compared.
type PathMatchType string

const (
	PathExact  PathMatchType = "Exact"
	PathPrefix PathMatchType = "PathPrefix"
	PathRegex  PathMatchType = "RegularExpression"
)

// StringMatchType is how a header or query value is compared.
type StringMatchType string

const (
	StringExact StringMatchType = "Exact"
	StringRegex StringMatchType = "RegularExpression"
)

// Match is the conjunction of its parts; an empty part matches everything.
type Match struct {
	PathType PathMatchType `json:"pathType"`
	Path     string        `json:"path"`
	// Method is empty for any method.
	Method      string        `json:"method,omitempty"`
	Headers     []StringMatch `json:"headers,omitempty"`
	QueryParams []StringMatch `json:"queryParams,omitempty"`
}

// StringMatch matches one named header or query parameter.
type StringMatch struct {
	Name  string          `json:"name"`
	Type  StringMatchType `json:"type"`
	Value string          `json:"value"`
}

// Action is what a route does. Exactly one field is set.
type Action struct {
	Forward  *Forward  `json:"forward,omitempty"`
	Redirect *Redirect `json:"redirect,omitempty"`
	// DirectResponse answers without contacting a backend, e.g. 500 when no
	// backendRef of the rule is valid, as the Gateway API requires.
	DirectResponse *DirectResponse `json:"directResponse,omitempty"`
}

// Forward sends the request to weighted backends.
type Forward struct {
	// Backends are the rule's valid backendRefs. Each weight is > 0 unless
	// all are 0, in which case the translator emits a DirectResponse instead.
	Backends []WeightedCluster `json:"backends"`
	Rewrite  *Rewrite          `json:"rewrite,omitempty"`
	// Timeout bounds the whole request, BackendTimeout each try; zero is unset.
	Timeout        time.Duration `json:"timeout,omitempty"`
	BackendTimeout time.Duration `json:"backendTimeout,omitempty"`
	// InvalidBackends is the share of requests that stand for the rule's
	// invalid backendRefs, answered locally as the spec requires.
	InvalidBackends *InvalidBackends `json:"invalidBackends,omitempty"`
	// Mirrors get a copy of (a fraction of) the requests; their answers
	// are dropped.
	Mirrors []Mirror `json:"mirrors,omitempty"`
	Retry   *Retry   `json:"retry,omitempty"`
	// CORS answers preflight requests and adds CORS response headers.
	CORS *CORS `json:"cors,omitempty"`
}

// WeightedCluster is one backend of a Forward.
type WeightedCluster struct {
	Cluster string `json:"cluster"`
	Weight  uint32 `json:"weight"`
	// Header filters of this backendRef only, applied after the route's.
	RequestHeaders  *HeaderModifier `json:"requestHeaders,omitempty"`
	ResponseHeaders *HeaderModifier `json:"responseHeaders,omitempty"`
}

// InvalidBackends weighs against Forward.Backends: that share of requests
// gets StatusCode (500 for HTTPRoute, 503, that is UNAVAILABLE, for
// GRPCRoute).
type InvalidBackends struct {
	Weight     uint32 `json:"weight"`
	StatusCode uint32 `json:"statusCode"`
}

// Mirror sends a copy of requests to a cluster.
type Mirror struct {
	Cluster string `json:"cluster"`
	// Numerator/Denominator is the fraction of requests mirrored; a zero
	// Denominator means all of them.
	Numerator   uint32 `json:"numerator,omitempty"`
	Denominator uint32 `json:"denominator,omitempty"`
}

// Retry retries a request that failed to connect or was answered with
// one of Codes.
type Retry struct {
	// Attempts is the number of retries after the first try.
	Attempts uint32   `json:"attempts"`
	Codes    []uint32 `json:"codes,omitempty"`
	// Backoff is the base interval between tries; zero is the proxy's default.
	Backoff time.Duration `json:"backoff,omitempty"`
}

// CORS is a cross-origin resource sharing policy.
type CORS struct {
	// AllowOrigins are exact origins or patterns with "*" wildcards; "*"
	// alone allows any origin.
	AllowOrigins     []string      `json:"allowOrigins,omitempty"`
	AllowMethods     []string      `json:"allowMethods,omitempty"`
	AllowHeaders     []string      `json:"allowHeaders,omitempty"`
	ExposeHeaders    []string      `json:"exposeHeaders,omitempty"`
	MaxAge           time.Duration `json:"maxAge,omitempty"`
	AllowCredentials bool          `json:"allowCredentials,omitempty"`
}

// Rewrite changes the request before it is forwarded.
type Rewrite struct {
	Hostname string `json:"hostname,omitempty"`
	// At most one of FullPath and PrefixPath is set. PrefixPath replaces
	// the route's PathPrefix match and is only valid with one.
	FullPath   *string `json:"fullPath,omitempty"`
	PrefixPath *string `json:"prefixPath,omitempty"`
}

// Redirect answers with a redirect. Empty fields keep the request's value.
type Redirect struct {
	Scheme     string  `json:"scheme,omitempty"`
	Hostname   string  `json:"hostname,omitempty"`
	Port       uint32  `json:"port,omitempty"`
	FullPath   *string `json:"fullPath,omitempty"`
	PrefixPath *string `json:"prefixPath,omitempty"`
	// StatusCode is 301, 302, 303, 307 or 308.
	StatusCode int `json:"statusCode"`
}

// DirectResponse answers with a fixed status.
type DirectResponse struct {
	StatusCode uint32 `json:"statusCode"`
	Body       string `json:"body,omitempty"`
}

// HeaderModifier edits headers; applied as Remove, then Set, then Add.
type HeaderModifier struct {
	Set    []Header `json:"set,omitempty"`
	Add    []Header `json:"add,omitempty"`
	Remove []string `json:"remove,omitempty"`
}

// Header is a name and a value.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Cluster is one backend: a Service port, or a Backend.
type Cluster struct {
	// Name is stable and derived from the backend, e.g. "service/ns/name/8080".
	Name string `json:"name"`
	// Protocol is how HTTP requests reach the backend; empty is HTTP/1.1
	// (and raw bytes for TCP, TLS and UDP routes).
	Protocol UpstreamProtocol `json:"protocol,omitempty"`
	// Endpoints; all IPs (sent over EDS) or all hostnames (resolved by DNS).
	Endpoints []Endpoint `json:"endpoints,omitempty"`
	// TLS, when set, makes the proxy open TLS to the endpoints and verify
	// them (BackendTLSPolicy).
	TLS *UpstreamTLS `json:"tls,omitempty"`
}

// UpstreamProtocol is the protocol a cluster's HTTP requests use.
type UpstreamProtocol string

// UpstreamHTTP2 is cleartext HTTP/2 (h2c): gRPC backends, and Service
// ports of appProtocol kubernetes.io/h2c.
const UpstreamHTTP2 UpstreamProtocol = "HTTP2"

// Endpoint is one address of a cluster.
type Endpoint struct {
	// Host is an IP address or a DNS name.
	Host string `json:"host"`
	Port uint32 `json:"port"`
}

// IsIP reports whether every endpoint of the cluster is an IP literal, which
// decides between EDS and DNS discovery.
func (c *Cluster) IsIP() bool {
	for _, e := range c.Endpoints {
		if !isIP(e.Host) {
			return false
		}
	}
	return true
}
