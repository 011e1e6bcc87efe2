package translator

import (
	"regexp"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

func buildRouteConfig(name string, vhosts []*ir.VirtualHost, clusters map[string]*ir.Cluster, v variant, path string) (*routev3.RouteConfiguration, error) {
	rc := newRouteConfig(name, nil)
	root := rootPath(path)
	for i, vh := range vhosts {
		out, err := buildVirtualHost(vh, clusters, v, root.item("virtualHosts", i))
		if err != nil {
			return nil, err
		}
		rc.VirtualHosts = append(rc.VirtualHosts, out)
	}
	return rc, nil
}

// newRouteConfig is a route configuration's every field but its virtual
// hosts' rendering; Translate and the Cache both build them here.
func newRouteConfig(name string, vhosts []*routev3.VirtualHost) *routev3.RouteConfiguration {
	// Virtual hosts list bare hostnames (Gateway API hostnames carry no
	// port), so "example.com:8080" must find "example.com"; unlike the
	// connection manager's strip_any_host_port this leaves the Host header
	// the backend sees as the client sent it.
	return &routev3.RouteConfiguration{Name: name, VirtualHosts: vhosts, IgnorePortInHostMatching: true}
}

func buildVirtualHost(vh *ir.VirtualHost, clusters map[string]*ir.Cluster, v variant, path fieldPath) (*routev3.VirtualHost, error) {
	out := &routev3.VirtualHost{Name: vh.Name, Domains: domains(vh.Hostname)}
	for j, r := range vh.Routes {
		rt, err := buildRoute(r, clusters, v, path.item("routes", j))
		if err != nil {
			return nil, err
		}
		if rt != nil {
			out.Routes = append(out.Routes, rt)
		}
	}
	return out, nil
}

// domains lists what a virtual host answers to.
//
// Envoy strips the port from Host before matching (strip_any_host_port on
// the HttpConnectionManager), so the bare hostname is enough for it. gRPC
// matches its channel authority as is, and an authority may carry a port
// ("example.com:8080"), so exact hostnames also get "example.com:*". Both
// clients read a trailing "*" as a prefix wildcard (Envoy: "suffix
// wildcard"), so both accept the entry; Envoy never sees a port and ignores
// it. A wildcard hostname cannot get a port form: "*.example.com:*" has two
// wildcards, which neither client supports.
func domains(hostname string) []string {
	if hostname == "*" || strings.HasPrefix(hostname, "*") {
		return []string{hostname}
	}
	return []string{hostname, hostname + ":*"}
}

// buildRoute returns nil for a route that can never match in variant v.
func buildRoute(r *ir.Route, clusters map[string]*ir.Cluster, v variant, path fieldPath) (*routev3.Route, error) {
	match, ok, err := buildMatch(&r.Match, v, path.field("match"))
	if err != nil || !ok {
		return nil, err
	}
	rt := &routev3.Route{Name: r.Name, Match: match}
	if err := setAction(rt, r, clusters, v, path); err != nil {
		return nil, err
	}
	if err := setHeaderModifiers(rt, r, path); err != nil {
		return nil, err
	}
	if f := r.Action.Forward; f != nil {
		if err := setCORS(rt, f.CORS, v, path.field("action.forward.cors")); err != nil {
			return nil, err
		}
	}
	return rt, nil
}

// buildMatch returns ok=false when the match can never be true for v.
func buildMatch(m *ir.Match, v variant, path fieldPath) (*routev3.RouteMatch, bool, error) {
	rm := &routev3.RouteMatch{}
	if err := setPathMatch(rm, m, v, path); err != nil {
		return nil, false, err
	}
	if m.Method != "" {
		// Every gRPC call is a POST, and gRPC metadata has no ":method":
		// a POST condition always holds, any other never does.
		if v == grpcVariant {
			if m.Method != "POST" {
				return nil, false, nil
			}
		} else {
			rm.Headers = append(rm.Headers, &routev3.HeaderMatcher{
				Name:                 ":method",
				HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: exact(m.Method)},
			})
		}
	}
	for i, h := range m.Headers {
		sm, err := stringMatcher(h, path.item("headers", i))
		if err != nil {
			return nil, false, err
		}
		rm.Headers = append(rm.Headers, &routev3.HeaderMatcher{
			// gRPC metadata keys are lower case; Envoy compares names
			// case-insensitively either way.
			Name:                 strings.ToLower(h.Name),
			HeaderMatchSpecifier: &routev3.HeaderMatcher_StringMatch{StringMatch: sm},
		})
	}
	for i, q := range m.QueryParams {
		sm, err := stringMatcher(q, path.item("queryParams", i))
		if err != nil {
			return nil, false, err
		}
		rm.QueryParameters = append(rm.QueryParameters, &routev3.QueryParameterMatcher{
			Name:                         q.Name,
			QueryParameterMatchSpecifier: &routev3.QueryParameterMatcher_StringMatch{StringMatch: sm},
		})
	}
	// A gRPC call has no query string, so a query condition never holds
	// (grpc-go itself would skip the route with a warning).
	if v == grpcVariant && len(rm.QueryParameters) > 0 {
		return nil, false, nil
	}
	return rm, true, nil
}

func setPathMatch(rm *routev3.RouteMatch, m *ir.Match, v variant, path fieldPath) error {
	p := m.Path
	switch m.PathType {
	case ir.PathExact:
		if err := checkPath(p, path.field("path")); err != nil {
			return err
		}
		rm.PathSpecifier = &routev3.RouteMatch_Path{Path: p}
	case ir.PathPrefix, "":
		if p == "" {
			p = "/"
		}
		if err := checkPath(p, path.field("path")); err != nil {
			return err
		}
		setPrefixMatch(rm, p, v)
	case ir.PathRegex:
		if err := checkRegex(p, path.field("path")); err != nil {
			return err
		}
		rm.PathSpecifier = &routev3.RouteMatch_SafeRegex{SafeRegex: regex(p)}
	default:
		return fieldErr(path.sub("pathType"), "unsupported path match type %q", m.PathType)
	}
	return nil
}

// setPrefixMatch renders Gateway API's element-wise PathPrefix: "/foo" matches
// "/foo" and "/foo/bar" but not "/foobar", and a trailing "/" in the prefix
// is ignored.
//
// Envoy has exactly that as path_separated_prefix. grpc-go (v1.85) NACKs
// the whole RouteConfiguration on it ("unrecognized path specifier"), so the
// gRPC variant spells the same set of paths as a regex, which it supports.
func setPrefixMatch(rm *routev3.RouteMatch, prefix string, v variant) {
	p := trimPrefix(prefix)
	switch {
	case p == "":
		// "/" matches every path; path_separated_prefix cannot express it.
		rm.PathSpecifier = &routev3.RouteMatch_Prefix{Prefix: "/"}
	case v == grpcVariant:
		rm.PathSpecifier = &routev3.RouteMatch_SafeRegex{SafeRegex: regex(regexp.QuoteMeta(p) + "(/.*)?")}
	default:
		rm.PathSpecifier = &routev3.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: p}
	}
}

// trimPrefix drops trailing slashes: "/foo/" and "/foo" are the same
// PathPrefix, and "/" becomes "".
func trimPrefix(p string) string {
	return strings.TrimRight(p, "/")
}

func stringMatcher(s ir.StringMatch, path fieldPath) (*matcherv3.StringMatcher, error) {
	if s.Name == "" {
		return nil, fieldErr(path.sub("name"), "must not be empty")
	}
	switch s.Type {
	case ir.StringExact, "":
		return exact(s.Value), nil
	case ir.StringRegex:
		if err := checkRegex(s.Value, path.field("value")); err != nil {
			return nil, err
		}
		return &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: regex(s.Value)}}, nil
	default:
		return nil, fieldErr(path.sub("type"), "unsupported match type %q", s.Type)
	}
}

func exact(s string) *matcherv3.StringMatcher {
	return &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: s}}
}

// regex leaves engine_type unset: Envoy and gRPC both default to RE2.
func regex(re string) *matcherv3.RegexMatcher {
	return &matcherv3.RegexMatcher{Regex: re}
}

func setHeaderModifiers(rt *routev3.Route, r *ir.Route, path fieldPath) error {
	add, remove, err := headerOptions(r.RequestHeaders, path.field("requestHeaders"))
	if err != nil {
		return err
	}
	rt.RequestHeadersToAdd, rt.RequestHeadersToRemove = add, remove
	add, remove, err = headerOptions(r.ResponseHeaders, path.field("responseHeaders"))
	if err != nil {
		return err
	}
	rt.ResponseHeadersToAdd, rt.ResponseHeadersToRemove = add, remove
	return nil
}

// headerOptions keeps the IR's order Remove, Set, Add: Envoy removes before
// it adds, and applies the additions in list order.
func headerOptions(m *ir.HeaderModifier, path fieldPath) ([]*corev3.HeaderValueOption, []string, error) {
	if m == nil {
		return nil, nil, nil
	}
	var opts []*corev3.HeaderValueOption
	for i, h := range m.Set {
		set := path.item("set", i)
		if err := checkModifiable(h.Name, set.field("name")); err != nil {
			return nil, nil, err
		}
		opts = append(opts, headerOption(h, corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD))
	}
	for i, h := range m.Add {
		add := path.item("add", i)
		if err := checkModifiable(h.Name, add.field("name")); err != nil {
			return nil, nil, err
		}
		opts = append(opts, headerOption(h, corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD))
	}
	for i, name := range m.Remove {
		if err := checkModifiable(name, path.item("remove", i)); err != nil {
			return nil, nil, err
		}
	}
	return opts, m.Remove, nil
}

func headerOption(h ir.Header, action corev3.HeaderValueOption_HeaderAppendAction) *corev3.HeaderValueOption {
	return &corev3.HeaderValueOption{
		Header:       &corev3.HeaderValue{Key: h.Name, Value: h.Value},
		AppendAction: action,
	}
}

// checkModifiable rejects what Envoy refuses at load time although
// ValidateAll passes it: pseudo-headers and Host cannot be edited this way
// (a hostname rewrite is the way to change Host).
func checkModifiable(name string, path fieldPath) error {
	if name == "" {
		return fieldErr(path.String(), "must not be empty")
	}
	if strings.HasPrefix(name, ":") || strings.EqualFold(name, "host") {
		return fieldErr(path.String(), "header %q cannot be modified", name)
	}
	return nil
}
