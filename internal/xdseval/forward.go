package xdseval

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	upstreamhttpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
)

// BackendReply is what the backend answers; Delay is how long it takes,
// which the route's timeouts are held against.
type BackendReply struct {
	Status  int
	Headers http.Header
	Body    []byte
	Delay   time.Duration
	// Reset: the backend dropped the connection instead of answering.
	Reset bool
}

var notFoundCodes = map[routev3.RouteAction_ClusterNotFoundResponseCode]int{
	routev3.RouteAction_SERVICE_UNAVAILABLE:   http.StatusServiceUnavailable,
	routev3.RouteAction_NOT_FOUND:             http.StatusNotFound,
	routev3.RouteAction_INTERNAL_SERVER_ERROR: http.StatusInternalServerError,
}

func (p *Proxy) forward(s *stream, rc *routev3.RouteConfiguration, vh *routev3.VirtualHost, r *routev3.Route, ra *routev3.RouteAction,
	rng *rand.Rand, backend Backend) (*Response, *routev3.WeightedCluster_ClusterWeight, error) {
	if err := checkRouteAction(ra); err != nil {
		return nil, nil, err
	}
	name, wc, err := pickCluster(ra, rng)
	if err != nil {
		return nil, nil, err
	}
	cl := p.clusters[name]
	if cl == nil {
		// Envoy answers a route to an unknown cluster with
		// cluster_not_found_response_code (503 unless set).
		return localReply(notFoundCodes[ra.GetClusterNotFoundResponseCode()], ""), wc, nil
	}
	if cl.GetTransportSocket() != nil {
		return nil, nil, unsupported("cluster %q: upstream TLS", name)
	}
	eps, err := p.clusterEndpoints(cl)
	if err != nil {
		return nil, nil, err
	}
	if len(eps) == 0 {
		return localReply(http.StatusServiceUnavailable, "no healthy upstream"), wc, nil
	}
	up, err := upstreamRequest(s, r.GetMatch(), ra, wc)
	if err != nil {
		return nil, nil, err
	}
	up.Cluster, up.Endpoint = name, eps[rng.IntN(len(eps))]
	if up.Proto, err = upstreamProto(cl, s.proto); err != nil {
		return nil, nil, err
	}
	if s.upgrade != "" && up.Proto != http1 {
		return nil, nil, unsupported("upgrade %q to an HTTP/2 cluster (extended CONNECT)", s.upgrade)
	}
	for _, m := range levels(rc, vh, r, wc) {
		if err := mutate(up.Headers, m.reqAdd, m.reqRemove); err != nil {
			return nil, nil, err
		}
	}
	if up.Mirrors, err = p.mirrors(up, s.proto, ra, rng); err != nil {
		return nil, nil, err
	}
	reply, err := p.attempts(up, ra, vh, eps, rng, backend)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case reply.timedOut:
		resp := localReply(http.StatusGatewayTimeout, "upstream request timeout")
		resp.Upstream = up
		return resp, wc, nil
	case reply.Reset:
		resp := localReply(http.StatusServiceUnavailable, "upstream connect error or disconnect/reset before headers. reset reason: connection termination")
		resp.Upstream = up
		return resp, wc, nil
	}
	h := http.Header{}
	for k, v := range reply.Headers {
		// Envoy's header map is case-insensitive; the client sees one
		// canonical name per header.
		h[http.CanonicalHeaderKey(k)] = append(h[http.CanonicalHeaderKey(k)], v...)
	}
	h.Set("Server", "envoy")
	return &Response{Status: reply.Status, Headers: h, Body: reply.Body, Upstream: up}, wc, nil
}

func checkRouteAction(ra *routev3.RouteAction) error {
	switch {
	case ra.GetClusterHeader() != "", ra.GetClusterSpecifierPlugin() != "", ra.GetInlineClusterSpecifierPlugin() != nil:
		return unsupported("cluster specifier other than cluster and weighted_clusters")
	case ra.GetAutoHostRewrite() != nil, ra.GetHostRewriteHeader() != "", ra.GetHostRewritePathRegex() != nil:
		return unsupported("host rewrite other than host_rewrite_literal")
	case ra.GetPathRewritePolicy() != nil:
		return unsupported("path_rewrite_policy")
	}
	return nil
}

// pickCluster chooses among weighted clusters as Envoy does: a random
// value modulo the total weight, walked through the clusters in order.
func pickCluster(ra *routev3.RouteAction, rng *rand.Rand) (string, *routev3.WeightedCluster_ClusterWeight, error) {
	wcs := ra.GetWeightedClusters()
	if wcs == nil {
		return ra.GetCluster(), nil, nil
	}
	var total uint64
	for _, c := range wcs.GetClusters() {
		total += uint64(c.GetWeight().GetValue())
	}
	if total == 0 {
		return "", nil, fmt.Errorf("weighted clusters with a total weight of 0")
	}
	v := rng.Uint64N(total)
	for _, c := range wcs.GetClusters() {
		w := uint64(c.GetWeight().GetValue())
		if v < w {
			if c.GetClusterHeader() != "" {
				return "", nil, unsupported("weighted cluster by header")
			}
			return c.GetName(), c, nil
		}
		v -= w
	}
	return "", nil, fmt.Errorf("internal: no weighted cluster picked")
}

// clusterEndpoints are the "address:port" of the cluster's endpoints that
// are not known to be unhealthy: EDS clusters from their
// ClusterLoadAssignment, static and DNS clusters from their own.
func (p *Proxy) clusterEndpoints(cl *clusterv3.Cluster) ([]string, error) {
	var la *endpointv3.ClusterLoadAssignment
	switch cl.GetType() {
	case clusterv3.Cluster_EDS:
		la = p.endpoints[cl.GetName()]
		if n := cl.GetEdsClusterConfig().GetServiceName(); n != "" {
			la = p.endpoints[n]
		}
	case clusterv3.Cluster_STATIC, clusterv3.Cluster_STRICT_DNS, clusterv3.Cluster_LOGICAL_DNS:
		la = cl.GetLoadAssignment()
	default:
		return nil, unsupported("cluster %q of type %v", cl.GetName(), cl.GetType())
	}
	var out []string
	for _, l := range la.GetEndpoints() {
		for _, e := range l.GetLbEndpoints() {
			switch e.GetHealthStatus() {
			case corev3.HealthStatus_UNHEALTHY, corev3.HealthStatus_DRAINING, corev3.HealthStatus_TIMEOUT:
				continue
			}
			sa := e.GetEndpoint().GetAddress().GetSocketAddress()
			if sa == nil {
				return nil, unsupported("cluster %q: endpoint without a socket address", cl.GetName())
			}
			out = append(out, sa.GetAddress()+":"+strconv.Itoa(int(sa.GetPortValue())))
		}
	}
	return out, nil
}

// upstreamRequest is the request as the router sends it: rewritten path and
// host, and the headers an edge Envoy (use_remote_address) adds.
func upstreamRequest(s *stream, m *routev3.RouteMatch, ra *routev3.RouteAction, wc *routev3.WeightedCluster_ClusterWeight) (*Upstream, error) {
	up := &Upstream{Method: s.method, Authority: s.authority, Path: s.path, Headers: s.headers.Clone()}
	query, hasQuery := s.query()
	withQuery := func(p string) string {
		if hasQuery {
			return p + "?" + query
		}
		return p
	}
	switch {
	case ra.GetPrefixRewrite() != "":
		p, err := prefixRewrite(m, s.pathOnly(), ra.GetPrefixRewrite())
		if err != nil {
			return nil, err
		}
		up.Path = withQuery(p)
	case ra.GetRegexRewrite() != nil:
		// regex_rewrite works on the path only; the query is kept.
		p, err := regexRewrite(ra.GetRegexRewrite(), s.pathOnly())
		if err != nil {
			return nil, err
		}
		up.Path = withQuery(p)
	}
	if h := ra.GetHostRewriteLiteral(); h != "" {
		up.Authority = h
	}
	if h := wc.GetHostRewriteLiteral(); h != "" {
		up.Authority = h
	}
	up.Headers.Set("X-Forwarded-Proto", s.scheme)
	up.Headers.Set("X-Envoy-Expected-Rq-Timeout-Ms", strconv.FormatInt(routeTimeout(ra).Milliseconds(), 10))
	if routeTimeout(ra) == 0 {
		up.Headers.Del("X-Envoy-Expected-Rq-Timeout-Ms")
	}
	return up, nil
}

func routeTimeout(ra *routev3.RouteAction) time.Duration {
	if ra.GetTimeout() == nil {
		return defaultRouteTimeout
	}
	return ra.GetTimeout().AsDuration()
}

// mirrors are the shadow requests of up: one per request_mirror_policy
// whose runtime_fraction (its default value; no runtime here) the random
// draw falls in, to an endpoint of its cluster, with the final upstream
// headers and "-shadow" appended to the host (RequestMirrorPolicy docs).
// A mirror to a cluster that is missing or has no endpoint is dropped, as
// Envoy drops a shadow that fails.
func (p *Proxy) mirrors(up *Upstream, downstream string, ra *routev3.RouteAction, rng *rand.Rand) ([]*Upstream, error) {
	var out []*Upstream
	for _, mp := range ra.GetRequestMirrorPolicies() {
		if mp.GetClusterHeader() != "" || mp.GetTraceSampled() != nil {
			return nil, unsupported("mirror by cluster_header or trace_sampled")
		}
		if f := mp.GetRuntimeFraction(); f != nil && !sampled(f.GetDefaultValue(), rng) {
			continue
		}
		cl := p.clusters[mp.GetCluster()]
		if cl == nil {
			continue
		}
		eps, err := p.clusterEndpoints(cl)
		if err != nil {
			return nil, err
		}
		if len(eps) == 0 {
			continue
		}
		host := up.Authority
		if !mp.GetDisableShadowHostSuffixAppend() {
			host = shadowHost(host)
		}
		proto, err := upstreamProto(cl, downstream)
		if err != nil {
			return nil, err
		}
		out = append(out, &Upstream{Cluster: cl.GetName(), Proto: proto, Endpoint: eps[rng.IntN(len(eps))], Method: up.Method,
			Authority: host, Path: up.Path, Headers: up.Headers.Clone()})
	}
	return out, nil
}

// sampled draws against a FractionalPercent as Envoy's runtime does: a
// random value modulo the denominator, below the numerator.
func sampled(f *typev3.FractionalPercent, rng *rand.Rand) bool {
	den := map[typev3.FractionalPercent_DenominatorType]uint64{
		typev3.FractionalPercent_HUNDRED: 100, typev3.FractionalPercent_TEN_THOUSAND: 10000, typev3.FractionalPercent_MILLION: 1000000,
	}[f.GetDenominator()]
	return rng.Uint64N(den) < uint64(f.GetNumerator())
}

// shadowHost puts "-shadow" after the host name, before any port.
func shadowHost(host string) string {
	if h := stripPort(host); h != host {
		return h + "-shadow" + host[len(h):]
	}
	return host + "-shadow"
}

// upstreamProto is the protocol the cluster speaks to its endpoints: its
// HttpProtocolOptions (explicit HTTP/2 or HTTP/1, or the downstream's),
// else HTTP/1.1. auto_config picks by ALPN, which needs upstream TLS, so
// it is HTTP/1.1 in cleartext.
func upstreamProto(cl *clusterv3.Cluster, downstream string) (string, error) {
	if cl.GetHttp2ProtocolOptions() != nil {
		return http2, nil
	}
	a, ok := cl.GetTypedExtensionProtocolOptions()["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
	if !ok {
		return http1, nil
	}
	o := &upstreamhttpv3.HttpProtocolOptions{}
	if err := a.UnmarshalTo(o); err != nil {
		return "", fmt.Errorf("cluster %q protocol options: %w", cl.GetName(), err)
	}
	switch {
	case o.GetExplicitHttpConfig().GetHttp2ProtocolOptions() != nil:
		return http2, nil
	case o.GetExplicitHttpConfig().GetHttp3ProtocolOptions() != nil:
		return "", unsupported("cluster %q: HTTP/3 upstream", cl.GetName())
	case o.GetUseDownstreamProtocolConfig() != nil:
		return downstream, nil
	}
	return http1, nil
}
