package xdseval

import (
	"net/http"
	"testing"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

func TestVirtualHostDomainOrder(t *testing.T) {
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{
		vhost("any", []string{"*"}, toCluster("any", "a", prefix("/"))),
		vhost("prefix", []string{"api.*"}, toCluster("prefix", "a", prefix("/"))),
		vhost("short-suffix", []string{"*.com"}, toCluster("short-suffix", "a", prefix("/"))),
		vhost("long-suffix", []string{"*.example.com"}, toCluster("long-suffix", "a", prefix("/"))),
		vhost("exact", []string{"www.example.com"}, toCluster("exact", "a", prefix("/"))),
	}}
	p := fixture(t, rc, nil)
	for host, want := range map[string]string{
		"www.example.com": "exact",
		"WWW.Example.COM": "exact",       // domains match case-insensitively
		"a.example.com":   "long-suffix", // the longest suffix wildcard wins
		"x.y.example.com": "long-suffix", // a suffix wildcard spans labels
		"example.com":     "short-suffix",
		"api.example.org": "prefix", // suffix wildcards before prefix ones
		"api.example.com": "long-suffix",
		"other.org":       "any",
	} {
		if got := serve(t, p, get(host, "/"), nil).Route; got != want {
			t.Errorf("host %s: vhost route %q, want %q", host, got, want)
		}
	}
}

func TestNoVirtualHostOrRouteIs404(t *testing.T) {
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{
		vhost("one", []string{"one.com"}, toCluster("r", "a", prefix("/x"))),
	}}
	p := fixture(t, rc, nil)
	for _, req := range []Request{get("two.com", "/x"), get("one.com", "/y")} {
		if resp := serve(t, p, req, nil); resp.Status != http.StatusNotFound || resp.Upstream != nil {
			t.Errorf("%s%s: %d (upstream %v), want a local 404", req.Authority, req.Path, resp.Status, resp.Upstream)
		}
	}
}

func TestPathMatches(t *testing.T) {
	sep := &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: "/sep"}}
	exact := &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Path{Path: "/exact"}}
	re := &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_SafeRegex{SafeRegex: &matcherv3.RegexMatcher{Regex: "/re/[0-9]+"}}}
	fold := &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/Fold"}, CaseSensitive: boolValue(false)}
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"},
		toCluster("sep", "a", sep), toCluster("exact", "a", exact), toCluster("re", "a", re), toCluster("fold", "a", fold),
		toCluster("query-prefix", "a", prefix("/q?x=1")), toCluster("catch-all", "b", prefix("/")),
	)}}
	p := fixture(t, rc, nil)
	for path, want := range map[string]string{
		"/sep":       "sep",
		"/sep/":      "sep",
		"/sep/x":     "sep",
		"/sepx":      "catch-all", // path_separated_prefix stops at a segment boundary
		"/sep?q=1":   "sep",       // ... and ignores the query
		"/exact":     "exact",
		"/exact?a=b": "exact", // path ignores the query
		"/exact/":    "catch-all",
		"/re/123":    "re",
		"/re/123/x":  "catch-all", // a regex must match the whole path
		"/re/12?x=y": "re",
		"/fold/x":    "fold",
		"/q?x=1&y=2": "query-prefix", // prefix sees the query
		"//exact":    "catch-all",    // no merge_slashes in this fixture
	} {
		if got := serve(t, p, get("h", path), nil).Route; got != want {
			t.Errorf("%s: route %q, want %q", path, got, want)
		}
	}
}

func TestPathNormalization(t *testing.T) {
	exact := &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Path{Path: "/a/b"}}
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"}, toCluster("exact", "a", exact))}}
	merge := func(h *hcmv3.HttpConnectionManager) { h.MergeSlashes = true; h.NormalizePath = boolValue(true) }
	b := &recorder{}
	resp := serve(t, fixture(t, rc, merge), get("h", "//a/./c/..//b?x"), b)
	if resp.Route != "exact" || b.last.Path != "/a/b?x" {
		t.Errorf("route %q, upstream path %q; want exact, /a/b?x", resp.Route, b.last.Path)
	}
	resp = serve(t, fixture(t, rc, nil), get("h", "/a/./b"), nil)
	if resp.Route != "" {
		t.Errorf("without normalize_path /a/./b matched %q", resp.Route)
	}
}

func TestHeaderAndQueryMatches(t *testing.T) {
	hdr := func(name string, spec *routev3.HeaderMatcher) *routev3.RouteMatch {
		m := prefix("/")
		spec.Name = name
		m.Headers = []*routev3.HeaderMatcher{spec}
		return m
	}
	exact := &routev3.HeaderMatcher{HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{
		MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "v"}}}}
	regex := &routev3.HeaderMatcher{HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{
		MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: &matcherv3.RegexMatcher{Regex: "[0-9]+"}}}}}
	method := &routev3.HeaderMatcher{HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: &matcherv3.StringMatcher{
		MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "POST"}}}}
	notPresent := &routev3.HeaderMatcher{HeaderMatchSpecifier: &routev3.HeaderMatcher_PresentMatch{PresentMatch: true}, InvertMatch: true}
	query := prefix("/")
	query.QueryParameters = []*routev3.QueryParameterMatcher{{Name: "k", QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_StringMatch{
		StringMatch: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: "one"}}}}}
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"},
		toCluster("exact", "a", hdr("X-Exact", exact)),
		toCluster("regex", "a", hdr("x-num", regex)),
		toCluster("method", "a", hdr(":method", method)),
		toCluster("query", "a", query),
		toCluster("absent", "a", hdr("x-gone", notPresent)),
		toCluster("last", "b", prefix("/")),
	)}}
	p := fixture(t, rc, nil)
	with := func(h, v string) Request {
		r := get("h", "/p")
		r.Headers.Set(h, v)
		r.Headers.Set("X-Gone", "here")
		return r
	}
	post := with("x-other", "1")
	post.Method = http.MethodPost
	for _, c := range []struct {
		req  Request
		want string
	}{
		{with("x-exact", "v"), "exact"},
		{with("x-exact", "V"), "last"}, // exact is case-sensitive
		{with("X-Num", "42"), "regex"},
		{with("X-Num", "42a"), "last"}, // regex matches the whole value
		{post, "method"},
		{func() Request { r := with("a", "b"); r.Path = "/p?k=one&k=two"; return r }(), "query"},
		{func() Request { r := with("a", "b"); r.Path = "/p?k=two&k=one"; return r }(), "last"}, // the first value decides
		{get("h", "/p"), "absent"},
	} {
		if got := serve(t, p, c.req, nil).Route; got != c.want {
			t.Errorf("%s %s %v: route %q, want %q", c.req.Method, c.req.Path, c.req.Headers, got, c.want)
		}
	}
}

func TestMalformedPathIs400(t *testing.T) {
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"}, toCluster("r", "a", prefix("")))}}
	resp := serve(t, fixture(t, rc, nil), get("h", "*"), nil)
	if resp.Status != http.StatusBadRequest || resp.Upstream != nil || resp.Proto != http1 {
		t.Errorf("path *: %d (upstream %v, proto %q), want a local 400 over HTTP/1.1", resp.Status, resp.Upstream, resp.Proto)
	}
}
