package xdseval

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func redirectRoute(name string, m *routev3.RouteMatch, ra *routev3.RedirectAction) *routev3.Route {
	return &routev3.Route{Name: name, Match: m, Action: &routev3.Route_Redirect{Redirect: ra}}
}

func TestRedirectLocation(t *testing.T) {
	sep := func(p string) *routev3.RouteMatch {
		return &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: p}}
	}
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"},
		redirectRoute("https", sep("/secure"), &routev3.RedirectAction{
			SchemeRewriteSpecifier: &routev3.RedirectAction_SchemeRedirect{SchemeRedirect: "https"}, PortRedirect: 443}),
		redirectRoute("host", sep("/moved"), &routev3.RedirectAction{HostRedirect: "new.example.com", ResponseCode: routev3.RedirectAction_FOUND}),
		redirectRoute("full", &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Path{Path: "/old-page"}}, &routev3.RedirectAction{
			PathRewriteSpecifier: &routev3.RedirectAction_PathRedirect{PathRedirect: "/new-page"}, ResponseCode: routev3.RedirectAction_SEE_OTHER}),
		redirectRoute("prefix", sep("/old"), &routev3.RedirectAction{
			PathRewriteSpecifier: &routev3.RedirectAction_PrefixRewrite{PrefixRewrite: "/new"}, ResponseCode: routev3.RedirectAction_TEMPORARY_REDIRECT}),
		redirectRoute("regex", sep("/legacy"), &routev3.RedirectAction{
			PathRewriteSpecifier: &routev3.RedirectAction_RegexRewrite{RegexRewrite: &matcherv3.RegexMatchAndSubstitute{
				Pattern: &matcherv3.RegexMatcher{Regex: "^/legacy/*"}, Substitution: "/"}},
			ResponseCode: routev3.RedirectAction_PERMANENT_REDIRECT}),
		redirectRoute("strip", sep("/strip"), &routev3.RedirectAction{StripQuery: true, HostRedirect: "s.example.com"}),
		redirectRoute("port", sep("/port"), &routev3.RedirectAction{PortRedirect: 8443}),
	)}}
	cases := []struct {
		path, authority string
		strip           bool
		code            int
		location        string
	}{
		{"/secure/x?a=1", "shop.com", true, 301, "https://shop.com:443/secure/x?a=1"},
		{"/moved/y", "shop.com", true, 302, "http://new.example.com/moved/y"},
		{"/old-page?q", "shop.com", true, 303, "http://shop.com/new-page?q"}, // path_redirect keeps the query
		{"/old/a/b", "shop.com", true, 307, "http://shop.com/new/a/b"},
		{"/old", "shop.com", true, 307, "http://shop.com/new"},
		{"/legacy/x", "shop.com", true, 308, "http://shop.com/x"},
		{"/strip?a=b", "shop.com", true, 301, "http://s.example.com/strip"},
		// Without strip_any_host_port the request's port stays unless a
		// port_redirect replaces it or the scheme changes from its default.
		{"/moved", "shop.com:8080", false, 302, "http://new.example.com/moved"},
		{"/old", "shop.com:8080", false, 307, "http://shop.com:8080/new"},
		{"/port", "shop.com:8080", false, 301, "http://shop.com:8443/port"},
		{"/secure", "shop.com:80", false, 301, "https://shop.com:443/secure"},
	}
	for _, c := range cases {
		p := fixture(t, rc, func(h *hcmv3.HttpConnectionManager) {
			if c.strip {
				h.StripPortMode = &hcmv3.HttpConnectionManager_StripAnyHostPort{StripAnyHostPort: true}
			}
		})
		resp := serve(t, p, get(c.authority, c.path), nil)
		if resp.Status != c.code || resp.Headers.Get("Location") != c.location || resp.Upstream != nil {
			t.Errorf("%s%s: %d %q (upstream %v), want %d %q", c.authority, c.path, resp.Status, resp.Headers.Get("Location"), resp.Upstream, c.code, c.location)
		}
	}
}

func TestForwardRewritesAndHeaders(t *testing.T) {
	hv := func(k, v string, a corev3.HeaderValueOption_HeaderAppendAction) *corev3.HeaderValueOption {
		return &corev3.HeaderValueOption{Header: &corev3.HeaderValue{Key: k, Value: v}, AppendAction: a}
	}
	sep := &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: "/foo"}}
	r := &routev3.Route{Name: "rw", Match: sep, Action: &routev3.Route_Route{Route: &routev3.RouteAction{
		ClusterSpecifier:     &routev3.RouteAction_Cluster{Cluster: "a"},
		PrefixRewrite:        "/xyz",
		HostRewriteSpecifier: &routev3.RouteAction_HostRewriteLiteral{HostRewriteLiteral: "internal.local"},
	}},
		RequestHeadersToRemove: []string{"X-Drop", "X-Set"},
		RequestHeadersToAdd: []*corev3.HeaderValueOption{
			hv("X-Set", "route", corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD),
			hv("X-Add", "route", corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD),
			hv("X-Absent", "route", corev3.HeaderValueOption_ADD_IF_ABSENT),
			hv("X-Only-If", "route", corev3.HeaderValueOption_OVERWRITE_IF_EXISTS),
		},
		ResponseHeadersToRemove: []string{"X-Backend-Secret"},
		ResponseHeadersToAdd:    []*corev3.HeaderValueOption{hv("X-Resp", "r", corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD)},
	}
	vh := vhost("all", []string{"*"}, r)
	// The virtual host applies after the route, so its overwrite wins.
	vh.RequestHeadersToAdd = []*corev3.HeaderValueOption{hv("X-Set", "vhost", corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD)}
	p := fixture(t, &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vh}}, nil)
	req := get("shop.com", "/foo/bar?q=1")
	req.Headers.Set("X-Drop", "x")
	req.Headers.Set("X-Add", "client")
	req.Headers.Set("X-Absent", "client")
	b := &recorder{headers: http.Header{"X-Backend-Secret": {"s"}, "x-resp": {"backend"}}}
	resp := serve(t, p, req, b)
	up := b.last
	if up.Path != "/xyz/bar?q=1" || up.Authority != "internal.local" || up.Cluster != "a" || up.Endpoint != "10.0.0.1:8080" {
		t.Errorf("upstream %+v", up)
	}
	want := map[string][]string{"X-Drop": nil, "X-Set": {"vhost"}, "X-Add": {"client", "route"}, "X-Absent": {"client"}, "X-Only-If": nil}
	for k, v := range want {
		if got := up.Headers.Values(k); len(got) != len(v) || len(v) > 0 && got[0] != v[0] || len(v) > 1 && got[1] != v[1] {
			t.Errorf("upstream %s = %q, want %q", k, got, v)
		}
	}
	if resp.Headers.Get("X-Backend-Secret") != "" || len(resp.Headers.Values("X-Resp")) != 2 || resp.Headers.Get("Server") != "envoy" {
		t.Errorf("response headers %v", resp.Headers)
	}
}

func TestRegexRewriteKeepsQuery(t *testing.T) {
	r := &routev3.Route{Name: "re", Match: prefix("/"), Action: &routev3.Route_Route{Route: &routev3.RouteAction{
		ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: "a"},
		RegexRewrite: &matcherv3.RegexMatchAndSubstitute{Pattern: &matcherv3.RegexMatcher{Regex: "^/v([0-9])/(.*)$"},
			Substitution: `/api/\2/version\1`},
	}}}
	p := fixture(t, &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"}, r)}}, nil)
	b := &recorder{}
	serve(t, p, get("h", "/v2/items?x=1"), b)
	if b.last.Path != "/api/items/version2?x=1" {
		t.Errorf("upstream path %q", b.last.Path)
	}
}

func weighted(notFound routev3.RouteAction_ClusterNotFoundResponseCode, ws map[string]uint32, order ...string) *routev3.Route {
	wc := &routev3.WeightedCluster{}
	for _, n := range order {
		wc.Clusters = append(wc.Clusters, &routev3.WeightedCluster_ClusterWeight{Name: n, Weight: wrapperspb.UInt32(ws[n])})
	}
	return &routev3.Route{Name: "w", Match: prefix("/"), Action: &routev3.Route_Route{Route: &routev3.RouteAction{
		ClusterSpecifier: &routev3.RouteAction_WeightedClusters{WeightedClusters: wc}, ClusterNotFoundResponseCode: notFound}}}
}

func TestWeightedClustersAndMissingCluster(t *testing.T) {
	r := weighted(routev3.RouteAction_INTERNAL_SERVER_ERROR, map[string]uint32{"a": 7, "b": 2, "gone": 1}, "a", "b", "gone")
	p := fixture(t, &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"}, r)}}, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	counts := map[string]int{}
	const n = 10000
	for range n {
		b := &recorder{}
		resp, err := p.Serve(get("h", "/"), rng, b.serve)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case resp.Status == http.StatusInternalServerError && resp.Upstream == nil:
			counts["500"]++
		case resp.Status == http.StatusOK:
			counts[resp.Upstream.Cluster]++
		default:
			t.Fatalf("unexpected %d", resp.Status)
		}
	}
	for k, share := range map[string]float64{"a": 0.7, "b": 0.2, "500": 0.1} {
		if got := float64(counts[k]) / n; got < share-0.02 || got > share+0.02 {
			t.Errorf("%s: share %.3f, want %.1f±0.02", k, got, share)
		}
	}
}

func TestUnavailableAndTimeouts(t *testing.T) {
	timeout := &routev3.Route{Name: "t", Match: prefix("/slow"), Action: &routev3.Route_Route{Route: &routev3.RouteAction{
		ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: "a"}, Timeout: durationpb.New(500 * time.Millisecond)}}}
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"},
		timeout, toCluster("missing", "nope", prefix("/missing")), toCluster("empty", "b", prefix("/empty")))}}
	p := fixture(t, rc, nil)
	// Cluster b loses its endpoints.
	p.endpoints["b"].Endpoints = nil
	for _, c := range []struct {
		path  string
		delay time.Duration
		code  int
	}{
		{"/slow", 100 * time.Millisecond, 200},
		{"/slow", time.Second, 504},
		{"/missing", 0, 503},
		{"/empty", 0, 503},
	} {
		resp := serve(t, p, get("h", c.path), &recorder{delay: c.delay})
		if resp.Status != c.code {
			t.Errorf("%s after %v: %d, want %d", c.path, c.delay, resp.Status, c.code)
		}
	}
}

func TestDirectResponseAndUnsupported(t *testing.T) {
	direct := &routev3.Route{Name: "d", Match: prefix("/d"), Action: &routev3.Route_DirectResponse{DirectResponse: &routev3.DirectResponseAction{
		Status: 500, Body: &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{InlineString: "invalid backend"}}}}}
	odd := &routev3.Route{Name: "odd", Match: prefix("/odd"), Action: &routev3.Route_Route{Route: &routev3.RouteAction{
		ClusterSpecifier: &routev3.RouteAction_ClusterHeader{ClusterHeader: "x-cluster"}}}}
	p := fixture(t, &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"}, direct, odd)}}, nil)
	if resp := serve(t, p, get("h", "/d"), nil); resp.Status != 500 || string(resp.Body) != "invalid backend" {
		t.Errorf("direct response %d %q", resp.Status, resp.Body)
	}
	if _, err := p.Serve(get("h", "/odd"), rand.New(rand.NewPCG(1, 1)), (&recorder{}).serve); !IsUnsupported(err) {
		t.Errorf("cluster_header: err %v, want unsupported", err)
	}
}

func TestHostPortHandling(t *testing.T) {
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("foo", []string{"foo.com"}, toCluster("foo", "a", prefix("/")))}}
	// strip_any_host_port: matches without the port, and the upstream
	// Host loses it too.
	b := &recorder{}
	strip := fixture(t, rc, func(h *hcmv3.HttpConnectionManager) {
		h.StripPortMode = &hcmv3.HttpConnectionManager_StripAnyHostPort{StripAnyHostPort: true}
	})
	if resp := serve(t, strip, get("foo.com:8080", "/"), b); resp.Route != "foo" || b.last.Authority != "foo.com" {
		t.Errorf("strip_any_host_port: route %q, upstream host %q", resp.Route, b.last.Authority)
	}
	// ignore_port_in_host_matching: matches without the port, Host kept.
	rc.IgnorePortInHostMatching = true
	b = &recorder{}
	if resp := serve(t, fixture(t, rc, nil), get("foo.com:8080", "/"), b); resp.Route != "foo" || b.last.Authority != "foo.com:8080" {
		t.Errorf("ignore_port_in_host_matching: route %q, upstream host %q", resp.Route, b.last.Authority)
	}
	rc.IgnorePortInHostMatching = false
	if resp := serve(t, fixture(t, rc, nil), get("foo.com:8080", "/"), nil); resp.Status != 404 {
		t.Errorf("neither: %d, want 404", resp.Status)
	}
}
