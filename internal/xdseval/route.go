package xdseval

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// selectVirtualHost follows Envoy's domain search order: exact names, then
// suffix wildcards ("*.foo.com", "*-bar.foo.com"), then prefix wildcards
// ("foo.*"), then "*"; among wildcards the longest match wins (VirtualHost
// domains docs, https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-virtualhost).
// Host matching is case-insensitive.
func selectVirtualHost(rc *routev3.RouteConfiguration, host string) *routev3.VirtualHost {
	host = strings.ToLower(host)
	var suffix, prefix, any *routev3.VirtualHost
	suffixLen, prefixLen := -1, -1
	for _, vh := range rc.GetVirtualHosts() {
		for _, d := range vh.GetDomains() {
			d = strings.ToLower(d)
			switch {
			case d == "*":
				if any == nil {
					any = vh
				}
			case strings.HasPrefix(d, "*"):
				// A wildcard matches at least one character.
				if len(host) > len(d)-1 && strings.HasSuffix(host, d[1:]) && len(d) > suffixLen {
					suffix, suffixLen = vh, len(d)
				}
			case strings.HasSuffix(d, "*"):
				if len(host) > len(d)-1 && strings.HasPrefix(host, d[:len(d)-1]) && len(d) > prefixLen {
					prefix, prefixLen = vh, len(d)
				}
			case d == host:
				return vh
			}
		}
	}
	for _, vh := range []*routev3.VirtualHost{suffix, prefix, any} {
		if vh != nil {
			return vh
		}
	}
	return nil
}

// firstRoute is the first route whose match holds: Envoy does not look for
// a best match, order is precedence.
func firstRoute(vh *routev3.VirtualHost, s *stream) (*routev3.Route, error) {
	for _, r := range vh.GetRoutes() {
		ok, err := routeMatches(r.GetMatch(), s)
		if err != nil {
			return nil, fmt.Errorf("route %q: %w", r.GetName(), err)
		}
		if ok {
			return r, nil
		}
	}
	return nil, nil
}

func routeMatches(m *routev3.RouteMatch, s *stream) (bool, error) {
	if m.GetRuntimeFraction() != nil || m.GetGrpc() != nil || m.GetTlsContext() != nil ||
		len(m.GetDynamicMetadata()) > 0 || m.GetFilterState() != nil {
		return false, unsupported("route match other than path, headers and query parameters")
	}
	ok, err := pathMatches(m, s)
	if err != nil || !ok {
		return false, err
	}
	for _, h := range m.GetHeaders() {
		if ok, err := headerMatches(h, s); err != nil || !ok {
			return false, err
		}
	}
	for _, q := range m.GetQueryParameters() {
		if ok, err := queryMatches(q, s); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// pathMatches: prefix is tested on the whole :path (query included); path,
// path_separated_prefix and safe_regex on the path without its query, the
// regex having to match all of it (RouteMatch docs).
func pathMatches(m *routev3.RouteMatch, s *stream) (bool, error) {
	fold := m.GetCaseSensitive() != nil && !m.GetCaseSensitive().GetValue()
	eq := func(a, b string) bool { return a == b || fold && strings.EqualFold(a, b) }
	hasPrefix := func(str, pre string) bool { return len(str) >= len(pre) && eq(str[:len(pre)], pre) }
	switch ps := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		return hasPrefix(s.path, ps.Prefix), nil
	case *routev3.RouteMatch_Path:
		return eq(s.pathOnly(), ps.Path), nil
	case *routev3.RouteMatch_PathSeparatedPrefix:
		p := s.pathOnly()
		return hasPrefix(p, ps.PathSeparatedPrefix) && (len(p) == len(ps.PathSeparatedPrefix) || p[len(ps.PathSeparatedPrefix)] == '/'), nil
	case *routev3.RouteMatch_SafeRegex:
		re, err := fullRegexp(ps.SafeRegex.GetRegex())
		if err != nil {
			return false, err
		}
		return re.MatchString(s.pathOnly()), nil
	}
	return false, unsupported("path specifier %T", m.GetPathSpecifier())
}

// fullRegexp anchors an RE2 expression: Envoy's safe_regex matchers match
// the whole value. Go's regexp is RE2's syntax.
func fullRegexp(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", expr, err)
	}
	return re, nil
}

func headerMatches(h *routev3.HeaderMatcher, s *stream) (bool, error) {
	v, present := s.header(h.GetName())
	var ok bool
	switch spec := h.GetHeaderMatchSpecifier().(type) {
	case *routev3.HeaderMatcher_PresentMatch:
		ok = present == spec.PresentMatch
	case *routev3.HeaderMatcher_StringMatch:
		if !present {
			// An absent header never matches a value, even inverted,
			// unless treat_missing_header_as_empty.
			if !h.GetTreatMissingHeaderAsEmpty() {
				return false, nil
			}
		}
		m, err := stringMatches(spec.StringMatch, v)
		if err != nil {
			return false, err
		}
		ok = m
	case *routev3.HeaderMatcher_ExactMatch:
		ok = present && v == spec.ExactMatch
	case *routev3.HeaderMatcher_PrefixMatch:
		ok = present && strings.HasPrefix(v, spec.PrefixMatch)
	case *routev3.HeaderMatcher_SafeRegexMatch:
		re, err := fullRegexp(spec.SafeRegexMatch.GetRegex())
		if err != nil {
			return false, err
		}
		ok = present && re.MatchString(v)
	case nil:
		// No specifier: the header must be present.
		ok = present
	default:
		return false, unsupported("header matcher %T", spec)
	}
	return ok != h.GetInvertMatch(), nil
}

func stringMatches(m *matcherv3.StringMatcher, v string) (bool, error) {
	fold := m.GetIgnoreCase()
	lower := func(s string) string {
		if fold {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := m.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		return lower(v) == lower(p.Exact), nil
	case *matcherv3.StringMatcher_Prefix:
		return strings.HasPrefix(lower(v), lower(p.Prefix)), nil
	case *matcherv3.StringMatcher_Suffix:
		return strings.HasSuffix(lower(v), lower(p.Suffix)), nil
	case *matcherv3.StringMatcher_Contains:
		return strings.Contains(lower(v), lower(p.Contains)), nil
	case *matcherv3.StringMatcher_SafeRegex:
		re, err := fullRegexp(p.SafeRegex.GetRegex())
		if err != nil {
			return false, err
		}
		return re.MatchString(v), nil
	}
	return false, unsupported("string matcher %T", m.GetMatchPattern())
}

// queryMatches looks at the first value of the parameter, as Envoy does
// (QueryParameterMatcher::matches uses the first occurrence).
func queryMatches(q *routev3.QueryParameterMatcher, s *stream) (bool, error) {
	raw, _ := s.query()
	v, present := firstQueryValue(raw, q.GetName())
	switch spec := q.GetQueryParameterMatchSpecifier().(type) {
	case *routev3.QueryParameterMatcher_PresentMatch:
		return present == spec.PresentMatch, nil
	case *routev3.QueryParameterMatcher_StringMatch:
		if !present {
			return false, nil
		}
		return stringMatches(spec.StringMatch, v)
	case nil:
		return present, nil
	}
	return false, unsupported("query parameter matcher %T", q.GetQueryParameterMatchSpecifier())
}

func firstQueryValue(raw, name string) (string, bool) {
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k == name {
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
			return v, true
		}
	}
	return "", false
}
