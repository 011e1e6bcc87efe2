package xdseval

import (
	"net/http"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
	"google.golang.org/protobuf/types/known/anypb"
)

// cors models Envoy's CORS filter (source/extensions/filters/http/cors/
// cors_filter.cc): the policies of the route, its virtual host and route
// configuration, most specific first, each field taken from the first
// policy that sets it.
type cors struct{ policies []*corsv3.CorsPolicy }

func corsPolicy(rc *routev3.RouteConfiguration, vh *routev3.VirtualHost, r *routev3.Route) (*cors, error) {
	c := &cors{}
	for _, m := range []map[string]*anypb.Any{r.GetTypedPerFilterConfig(), vh.GetTypedPerFilterConfig(), rc.GetTypedPerFilterConfig()} {
		a, ok := m[wellknown.CORS]
		if !ok {
			continue
		}
		p := &corsv3.CorsPolicy{}
		if err := a.UnmarshalTo(p); err != nil {
			return nil, err
		}
		if p.GetFilterEnabled() != nil || p.GetShadowEnabled() != nil || p.GetAllowPrivateNetworkAccess() != nil {
			return nil, unsupported("CORS runtime fractions and private network access")
		}
		c.policies = append(c.policies, p)
	}
	return c, nil
}

func (c *cors) field(get func(*corsv3.CorsPolicy) string) string {
	for _, p := range c.policies {
		if v := get(p); v != "" {
			return v
		}
	}
	return ""
}

func (c *cors) allowCredentials() bool {
	for _, p := range c.policies {
		if p.GetAllowCredentials() != nil {
			return p.GetAllowCredentials().GetValue()
		}
	}
	return false
}

func (c *cors) forwardNotMatchingPreflights() bool {
	for _, p := range c.policies {
		if p.GetForwardNotMatchingPreflights() != nil {
			return p.GetForwardNotMatchingPreflights().GetValue()
		}
	}
	return true
}

// allowed is isOriginAllowed: the first policy with origin matchers
// decides, and a matcher that matches "*" allows every origin.
func (c *cors) allowed(origin string) bool {
	for _, p := range c.policies {
		if len(p.GetAllowOriginStringMatch()) == 0 {
			continue
		}
		for _, m := range p.GetAllowOriginStringMatch() {
			for _, v := range []string{"*", origin} {
				if ok, err := stringMatches(m, v); err == nil && ok {
					return true
				}
			}
		}
		return false
	}
	return false
}

// preflight is decodeHeaders: an OPTIONS request with an Origin and an
// Access-Control-Request-Method is answered here with 200, unless its
// origin is not allowed and such preflights are forwarded (the default).
// A "*" in allow_methods or allow_headers echoes what the request asks
// for. The reply then passes through the filter's encoder (decorate).
func (c *cors) preflight(s *stream) *Response {
	origin := s.headers.Get("Origin")
	reqMethod := s.headers.Get("Access-Control-Request-Method")
	if len(c.policies) == 0 || origin == "" || s.method != http.MethodOptions || reqMethod == "" {
		return nil
	}
	ok := c.allowed(origin)
	if !ok && c.forwardNotMatchingPreflights() {
		return nil
	}
	resp := localReply(http.StatusOK, "")
	if ok {
		resp.Headers.Set("Access-Control-Allow-Origin", origin)
	}
	if c.allowCredentials() {
		resp.Headers.Set("Access-Control-Allow-Credentials", "true")
	}
	echo := func(name, configured, requested string) {
		switch configured {
		case "":
		case "*":
			resp.Headers.Set(name, requested)
		default:
			resp.Headers.Set(name, configured)
		}
	}
	echo("Access-Control-Allow-Methods", c.field((*corsv3.CorsPolicy).GetAllowMethods), reqMethod)
	echo("Access-Control-Allow-Headers", c.field((*corsv3.CorsPolicy).GetAllowHeaders), s.headers.Get("Access-Control-Request-Headers"))
	if v := c.field((*corsv3.CorsPolicy).GetMaxAge); v != "" {
		resp.Headers.Set("Access-Control-Max-Age", v)
	}
	c.decorate(s, resp)
	return resp
}

// decorate is encodeHeaders: on a response to an allowed origin, the
// origin echoed, credentials and exposed headers when the policy says so.
func (c *cors) decorate(s *stream, resp *Response) {
	origin := s.headers.Get("Origin")
	if len(c.policies) == 0 || origin == "" || !c.allowed(origin) {
		return
	}
	resp.Headers.Set("Access-Control-Allow-Origin", origin)
	if c.allowCredentials() {
		resp.Headers.Set("Access-Control-Allow-Credentials", "true")
	}
	if v := c.field((*corsv3.CorsPolicy).GetExposeHeaders); v != "" {
		resp.Headers.Set("Access-Control-Expose-Headers", v)
	}
}
