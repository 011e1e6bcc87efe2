package xdseval

import (
	"errors"
	"math/rand/v2"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
	"google.golang.org/protobuf/types/known/anypb"
)

func corsRoute(t *testing.T, name, path string, p *corsv3.CorsPolicy) *routev3.Route {
	r := toCluster(name, "a", prefix(path))
	r.TypedPerFilterConfig = map[string]*anypb.Any{wellknown.CORS: mustAny(t, p)}
	return r
}

func TestCORS(t *testing.T) {
	exact := &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "https://www.foo.com"}}
	star := &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "*"}}
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"},
		corsRoute(t, "fixed", "/fixed", &corsv3.CorsPolicy{AllowOriginStringMatch: []*matcherv3.StringMatcher{exact},
			AllowMethods: "GET, OPTIONS", AllowHeaders: "x-a", ExposeHeaders: "x-e", MaxAge: "60", AllowCredentials: boolValue(true)}),
		corsRoute(t, "wild", "/wild", &corsv3.CorsPolicy{AllowOriginStringMatch: []*matcherv3.StringMatcher{star},
			AllowMethods: "*", AllowHeaders: "*"}),
		corsRoute(t, "strict", "/strict", &corsv3.CorsPolicy{AllowOriginStringMatch: []*matcherv3.StringMatcher{exact},
			AllowMethods: "GET", ForwardNotMatchingPreflights: boolValue(false)}),
	)}}
	p := fixture(t, rc, nil)
	req := func(method, path, origin string, h ...string) Request {
		r := get("h", path)
		r.Method = method
		r.Headers.Set("Origin", origin)
		for i := 0; i+1 < len(h); i += 2 {
			r.Headers.Set(h[i], h[i+1])
		}
		return r
	}
	type want struct {
		status    int
		forwarded bool
		headers   map[string]string // "" means absent
	}
	for name, c := range map[string]struct {
		req  Request
		want want
	}{
		"preflight allowed": {req("OPTIONS", "/fixed", "https://www.foo.com", "Access-Control-Request-Method", "GET"), want{200, false, map[string]string{
			"Access-Control-Allow-Origin": "https://www.foo.com", "Access-Control-Allow-Methods": "GET, OPTIONS", "Access-Control-Allow-Headers": "x-a",
			"Access-Control-Max-Age": "60", "Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "x-e"}}},
		"preflight wildcard echoes the request": {req("OPTIONS", "/wild", "https://any.org", "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", "x-1, x-2"), want{200, false, map[string]string{
			"Access-Control-Allow-Origin": "https://any.org", "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "x-1, x-2",
			"Access-Control-Allow-Credentials": ""}}},
		"preflight from another origin is forwarded": {req("OPTIONS", "/fixed", "https://evil.com", "Access-Control-Request-Method", "GET"),
			want{200, true, map[string]string{"Access-Control-Allow-Origin": ""}}},
		"preflight from another origin answered locally": {req("OPTIONS", "/strict", "https://evil.com", "Access-Control-Request-Method", "GET"),
			want{200, false, map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": "GET"}}},
		"OPTIONS without request method is forwarded": {req("OPTIONS", "/fixed", "https://www.foo.com"), want{200, true, map[string]string{
			"Access-Control-Allow-Origin": "https://www.foo.com"}}},
		"simple request": {req("GET", "/fixed", "https://www.foo.com"), want{200, true, map[string]string{
			"Access-Control-Allow-Origin": "https://www.foo.com", "Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers": "x-e", "Access-Control-Allow-Methods": ""}}},
		"simple request from another origin": {req("GET", "/fixed", "https://evil.com"), want{200, true, map[string]string{
			"Access-Control-Allow-Origin": ""}}},
	} {
		resp := serve(t, p, c.req, nil)
		if resp.Status != c.want.status || (resp.Upstream != nil) != c.want.forwarded {
			t.Errorf("%s: %d forwarded=%v, want %d forwarded=%v", name, resp.Status, resp.Upstream != nil, c.want.status, c.want.forwarded)
		}
		for k, v := range c.want.headers {
			if got := resp.Headers.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
	}
}

func TestTLSChainSelection(t *testing.T) {
	rc := func(name string) *routev3.RouteConfiguration {
		return &routev3.RouteConfiguration{Name: name, VirtualHosts: []*routev3.VirtualHost{vhost(name, []string{"*"}, toCluster(name, "a", prefix("/")))}}
	}
	l := inspected(listener("https", 443,
		tlsChain(t, hcmChain(t, "catch-all", "catch-all", nil), "s1"),
		tlsChain(t, hcmChain(t, "exact", "exact", nil), "s2", "api.example.com"),
		tlsChain(t, hcmChain(t, "wild", "wild", nil), "s1", "*.example.com"),
		tlsChain(t, hcmChain(t, "deep", "deep", nil), "s2", "*.a.example.com"),
	))
	plain := listener("http", 80, hcmChain(t, "plain", "plain", nil))
	ca, la := edsCluster("a", "10.0.0.1")
	secrets := []*tlsv3.Secret{{Name: "s1"}, {Name: "s2"}}
	p, err := New(Config{Listeners: []*listenerv3.Listener{l, plain},
		Routes:   []*routev3.RouteConfiguration{rc("catch-all"), rc("exact"), rc("wild"), rc("deep"), rc("plain")},
		Clusters: []*clusterv3.Cluster{ca}, Endpoints: []*endpointv3.ClusterLoadAssignment{la}, Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	for sni, want := range map[string]string{
		"api.example.com":   "exact",
		"API.example.com":   "exact",
		"www.example.com":   "wild",
		"x.y.example.com":   "wild", // a wildcard server name spans labels
		"b.a.example.com":   "deep", // the longest wildcard wins
		"a.example.com":     "wild", // a wildcard never matches its own apex
		"example.com":       "catch-all",
		"":                  "catch-all",
		"other.example.org": "catch-all",
	} {
		req := get("h", "/")
		req.Port, req.TLS = 443, &ClientTLS{ServerName: sni}
		resp := serve(t, p, req, nil)
		if resp.Chain != want || len(resp.Certificates) != 1 {
			t.Errorf("SNI %q: chain %q (%d certificates), want %q", sni, resp.Chain, len(resp.Certificates), want)
		}
	}
	var ce *ConnError
	for name, req := range map[string]Request{
		"cleartext to TLS": func() Request { r := get("h", "/"); r.Port = 443; return r }(),
		"TLS to cleartext": func() Request { r := get("h", "/"); r.TLS = &ClientTLS{ServerName: "h"}; return r }(),
		"closed port":      func() Request { r := get("h", "/"); r.Port = 8080; return r }(),
	} {
		if _, err := p.Serve(req, rand.New(rand.NewPCG(1, 1)), (&recorder{}).serve); !errors.As(err, &ce) {
			t.Errorf("%s: err %v, want a connection error", name, err)
		}
	}
}

func TestDuplicatePortRefused(t *testing.T) {
	_, err := New(Config{Listeners: []*listenerv3.Listener{listener("a", 80), listener("b", 80)}})
	if err == nil {
		t.Error("two listeners on port 80 accepted")
	}
}
