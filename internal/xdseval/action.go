package xdseval

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
)

// route runs the router filter (and the CORS filter before it) on s.
func (p *Proxy) route(s *stream, hcm *hcmv3.HttpConnectionManager, rc *routev3.RouteConfiguration, rng *rand.Rand, backend Backend) (*Response, error) {
	host := s.authority
	if rc.GetIgnorePortInHostMatching() {
		// Unlike strip_any_host_port, this leaves :authority (and so the
		// upstream Host) alone and only matches without the port.
		host = stripPort(host)
	}
	vh := selectVirtualHost(rc, host)
	if vh == nil {
		return localReply(http.StatusNotFound, ""), nil
	}
	if vh.GetRequireTls() != routev3.VirtualHost_NONE {
		return nil, unsupported("virtual host %q: require_tls", vh.GetName())
	}
	r, err := firstRoute(vh, s)
	if err != nil || r == nil {
		return localReply(http.StatusNotFound, ""), err
	}
	if s.upgrade != "" && !upgradeAllowed(hcm, r, s.upgrade) {
		// No filter chain for the upgrade: Envoy refuses it
		// ("upgrade_failed").
		resp := localReply(http.StatusForbidden, "")
		resp.Route = r.GetName()
		return resp, nil
	}
	cors, err := corsPolicy(rc, vh, r)
	if err != nil {
		return nil, err
	}
	if pre := cors.preflight(s); pre != nil {
		pre.Route = r.GetName()
		return pre, nil
	}
	resp, err := p.act(s, rc, vh, r, rng, backend)
	if err != nil {
		return nil, fmt.Errorf("route %q: %w", r.GetName(), err)
	}
	resp.Route = r.GetName()
	cors.decorate(s, resp)
	return resp, nil
}

// mutations are header changes at one level of the configuration.
type mutations struct {
	reqAdd, respAdd       []*corev3.HeaderValueOption
	reqRemove, respRemove []string
}

// levels lists the header mutations most specific first, the order Envoy
// applies them in, so the least specific level has the last word
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#custom-request-response-headers).
func levels(rc *routev3.RouteConfiguration, vh *routev3.VirtualHost, r *routev3.Route, wc *routev3.WeightedCluster_ClusterWeight) []mutations {
	var out []mutations
	if wc != nil {
		out = append(out, mutations{wc.GetRequestHeadersToAdd(), wc.GetResponseHeadersToAdd(), wc.GetRequestHeadersToRemove(), wc.GetResponseHeadersToRemove()})
	}
	return append(out,
		mutations{r.GetRequestHeadersToAdd(), r.GetResponseHeadersToAdd(), r.GetRequestHeadersToRemove(), r.GetResponseHeadersToRemove()},
		mutations{vh.GetRequestHeadersToAdd(), vh.GetResponseHeadersToAdd(), vh.GetRequestHeadersToRemove(), vh.GetResponseHeadersToRemove()},
		mutations{rc.GetRequestHeadersToAdd(), rc.GetResponseHeadersToAdd(), rc.GetRequestHeadersToRemove(), rc.GetResponseHeadersToRemove()})
}

func (p *Proxy) act(s *stream, rc *routev3.RouteConfiguration, vh *routev3.VirtualHost, r *routev3.Route, rng *rand.Rand, backend Backend) (*Response, error) {
	for name := range r.GetTypedPerFilterConfig() {
		if name != wellknown.CORS {
			return nil, unsupported("per-filter config %q", name)
		}
	}
	var resp *Response
	var err error
	var wc *routev3.WeightedCluster_ClusterWeight
	switch a := r.GetAction().(type) {
	case *routev3.Route_Redirect:
		resp, err = redirect(s, r.GetMatch(), a.Redirect)
	case *routev3.Route_DirectResponse:
		resp, err = directResponse(a.DirectResponse)
	case *routev3.Route_Route:
		resp, wc, err = p.forward(s, rc, vh, r, a.Route, rng, backend)
	default:
		err = unsupported("route action %T", a)
	}
	if err != nil {
		return nil, err
	}
	for _, m := range levels(rc, vh, r, wc) {
		if err := mutate(resp.Headers, m.respAdd, m.respRemove); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func directResponse(d *routev3.DirectResponseAction) (*Response, error) {
	body := ""
	switch src := d.GetBody().GetSpecifier().(type) {
	case nil:
	case *corev3.DataSource_InlineString:
		body = src.InlineString
	case *corev3.DataSource_InlineBytes:
		body = string(src.InlineBytes)
	default:
		return nil, unsupported("direct response body %T", src)
	}
	return localReply(int(d.GetStatus()), body), nil
}

var redirectCodes = map[routev3.RedirectAction_RedirectResponseCode]int{
	routev3.RedirectAction_MOVED_PERMANENTLY:  http.StatusMovedPermanently,
	routev3.RedirectAction_FOUND:              http.StatusFound,
	routev3.RedirectAction_SEE_OTHER:          http.StatusSeeOther,
	routev3.RedirectAction_TEMPORARY_REDIRECT: http.StatusTemporaryRedirect,
	routev3.RedirectAction_PERMANENT_REDIRECT: http.StatusPermanentRedirect,
}

// redirect builds the Location as Envoy's RouteEntryImplBase::newUri does:
// scheme_redirect (or https_redirect) else the request's scheme;
// host_redirect else the request host, whose port is dropped when a
// port_redirect is given or when it is the old scheme's default and the
// scheme changes; then ":"+port_redirect; then the path from path_redirect,
// prefix_rewrite or regex_rewrite, keeping the query unless strip_query.
func redirect(s *stream, m *routev3.RouteMatch, ra *routev3.RedirectAction) (*Response, error) {
	scheme := s.scheme
	if ra.GetSchemeRedirect() != "" {
		scheme = strings.ToLower(ra.GetSchemeRedirect())
	} else if ra.GetHttpsRedirect() {
		scheme = "https"
	}
	port := ""
	if ra.GetPortRedirect() != 0 {
		port = ":" + strconv.Itoa(int(ra.GetPortRedirect()))
	}
	host := ra.GetHostRedirect()
	if host == "" {
		host = requestHost(s, scheme, port)
	}
	path, err := redirectPath(s, m, ra)
	if err != nil {
		return nil, err
	}
	code, ok := redirectCodes[ra.GetResponseCode()]
	if !ok {
		return nil, unsupported("redirect response code %v", ra.GetResponseCode())
	}
	resp := localReply(code, "")
	resp.Headers.Set("Location", scheme+"://"+host+port+path)
	return resp, nil
}

// requestHost is Envoy's processRequestHost.
func requestHost(s *stream, newScheme, newPort string) string {
	host := s.authority
	var end int
	if strings.HasPrefix(host, "[") {
		end = strings.LastIndex(host, "]:")
		if end >= 0 {
			end++
		}
	} else {
		end = strings.LastIndexByte(host, ':')
	}
	if end < 0 {
		return host
	}
	oldPort := host[end:]
	remove := newPort != ""
	if newScheme != s.scheme {
		remove = remove || s.scheme == "https" && oldPort == ":443" || s.scheme == "http" && oldPort == ":80"
	}
	if remove {
		return host[:end]
	}
	return host
}

func redirectPath(s *stream, m *routev3.RouteMatch, ra *routev3.RedirectAction) (string, error) {
	query, hasQuery := s.query()
	withQuery := func(p string) string {
		if hasQuery && !ra.GetStripQuery() {
			return p + "?" + query
		}
		return p
	}
	switch rw := ra.GetPathRewriteSpecifier().(type) {
	case nil:
		return withQuery(s.pathOnly()), nil
	case *routev3.RedirectAction_PathRedirect:
		// A query in path_redirect replaces the request's.
		if strings.Contains(rw.PathRedirect, "?") {
			return rw.PathRedirect, nil
		}
		return withQuery(rw.PathRedirect), nil
	case *routev3.RedirectAction_PrefixRewrite:
		p, err := prefixRewrite(m, s.pathOnly(), rw.PrefixRewrite)
		return withQuery(p), err
	case *routev3.RedirectAction_RegexRewrite:
		p, err := regexRewrite(rw.RegexRewrite, s.pathOnly())
		return withQuery(p), err
	}
	return "", unsupported("redirect path rewrite %T", ra.GetPathRewriteSpecifier())
}

// prefixRewrite swaps the matched prefix (or the whole matched path of a
// path route) for rewrite (RouteAction.prefix_rewrite docs). It is given
// the path without query: a prefix never reaches into it here, as every
// route this package rewrites matched on the path.
func prefixRewrite(m *routev3.RouteMatch, path, rewrite string) (string, error) {
	var matched string
	switch ps := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		matched = ps.Prefix
	case *routev3.RouteMatch_PathSeparatedPrefix:
		matched = ps.PathSeparatedPrefix
	case *routev3.RouteMatch_Path:
		matched = ps.Path
	default:
		return "", unsupported("prefix_rewrite on a %T match", ps)
	}
	if len(matched) > len(path) {
		return "", fmt.Errorf("internal: matched prefix %q longer than path %q", matched, path)
	}
	return rewrite + path[len(matched):], nil
}

var re2Group = regexp.MustCompile(`\\(\d)`)

// regexRewrite replaces every match in the path, as RE2::GlobalReplace does;
// RE2's \N group references become Go's ${N}.
func regexRewrite(rw *matcherv3.RegexMatchAndSubstitute, path string) (string, error) {
	re, err := regexp.Compile(rw.GetPattern().GetRegex())
	if err != nil {
		return "", err
	}
	return re.ReplaceAllString(path, re2Group.ReplaceAllString(rw.GetSubstitution(), "$${$1}")), nil
}

// mutate applies one level's header changes: removals first, then
// additions, as Envoy's HeaderParser does.
func mutate(h http.Header, add []*corev3.HeaderValueOption, remove []string) error {
	for _, n := range remove {
		h.Del(n)
	}
	for _, o := range add {
		k, v := http.CanonicalHeaderKey(o.GetHeader().GetKey()), o.GetHeader().GetValue()
		if len(o.GetHeader().GetRawValue()) > 0 {
			v = string(o.GetHeader().GetRawValue())
		}
		if strings.Contains(v, "%") {
			return unsupported("header %q: substitution formatter in %q", k, v)
		}
		if v == "" && !o.GetKeepEmptyValue() {
			continue
		}
		action := o.GetAppendAction()
		if o.GetAppend() != nil {
			action = corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD
			if o.GetAppend().GetValue() {
				action = corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD
			}
		}
		_, present := h[k]
		switch action {
		case corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD:
			h[k] = append(h[k], v)
		case corev3.HeaderValueOption_ADD_IF_ABSENT:
			if !present {
				h[k] = []string{v}
			}
		case corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD:
			h[k] = []string{v}
		case corev3.HeaderValueOption_OVERWRITE_IF_EXISTS:
			if present {
				h[k] = []string{v}
			}
		default:
			return unsupported("header append action %v", action)
		}
	}
	return nil
}

// defaultRouteTimeout applies when a route sets none (RouteAction.timeout).
const defaultRouteTimeout = 15 * time.Second

// upgradeAllowed: the route's upgrade_configs entry for the protocol
// decides if there is one, else the HttpConnectionManager's (an entry is
// enabled unless it says otherwise).
func upgradeAllowed(hcm *hcmv3.HttpConnectionManager, r *routev3.Route, upgrade string) bool {
	for _, u := range r.GetRoute().GetUpgradeConfigs() {
		if strings.EqualFold(u.GetUpgradeType(), upgrade) {
			return u.GetEnabled() == nil || u.GetEnabled().GetValue()
		}
	}
	for _, u := range hcm.GetUpgradeConfigs() {
		if strings.EqualFold(u.GetUpgradeType(), upgrade) {
			return u.GetEnabled() == nil || u.GetEnabled().GetValue()
		}
	}
	return false
}
