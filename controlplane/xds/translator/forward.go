package translator

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// retryOnConnectionErrors are the failures the Gateway API says a retry
// stanza SHOULD cover besides its status codes.
const retryOnConnectionErrors = "connect-failure,refused-stream,reset"

// retryPolicy renders retries and the backend timeout, which Envoy both
// keeps in the retry policy. With no retry_on there are no retries, and
// per_try_timeout still bounds the first (only) try.
func retryPolicy(r *ir.Retry, backendTimeout time.Duration) *routev3.RetryPolicy {
	if r == nil && backendTimeout == 0 {
		return nil
	}
	rp := &routev3.RetryPolicy{}
	if backendTimeout > 0 {
		rp.PerTryTimeout = durationpb.New(backendTimeout)
	}
	if r == nil {
		return rp
	}
	rp.RetryOn = retryOnConnectionErrors
	if len(r.Codes) > 0 {
		rp.RetryOn += ",retriable-status-codes"
		rp.RetriableStatusCodes = r.Codes
	}
	rp.NumRetries = wrapperspb.UInt32(r.Attempts)
	if r.Backoff > 0 {
		// Envoy's default cap is ten times the base interval.
		rp.RetryBackOff = &routev3.RetryPolicy_RetryBackOff{BaseInterval: durationpb.New(r.Backoff)}
	}
	return rp
}

// setMirrors renders request mirrors, each to an existing cluster, with
// its fraction in parts per million. gRPC does not mirror; its variant
// gets none.
func setMirrors(ra *routev3.RouteAction, mirrors []ir.Mirror, clusters map[string]*ir.Cluster, v variant, path fieldPath) error {
	if v == grpcVariant {
		return nil
	}
	for i, m := range mirrors {
		mpath := path.at(i)
		c, ok := clusters[m.Cluster]
		if !ok {
			return fieldErr(mpath.sub("cluster"), "cluster %q is not in clusters", m.Cluster)
		}
		if m.Denominator != 0 && m.Numerator > m.Denominator {
			return fieldErr(mpath.String(), "%d/%d is more than all requests", m.Numerator, m.Denominator)
		}
		for _, name := range clusterNames(c, envoyVariant) {
			p := &routev3.RouteAction_RequestMirrorPolicy{Cluster: name}
			if m.Denominator != 0 {
				p.RuntimeFraction = &corev3.RuntimeFractionalPercent{DefaultValue: &typev3.FractionalPercent{
					Numerator:   uint32(uint64(m.Numerator) * 1_000_000 / uint64(m.Denominator)),
					Denominator: typev3.FractionalPercent_MILLION,
				}}
			}
			ra.RequestMirrorPolicies = append(ra.RequestMirrorPolicies, p)
		}
	}
	return nil
}

// corsFilterName is the HTTP filter that applies the routes' CORS policies.
const corsFilterName = "envoy.filters.http.cors"

// setCORS gives the route its CORS policy (Envoy variant only: browsers
// do not use proxyless gRPC, and gRPC NACKs unknown filter configs).
func setCORS(rt *routev3.Route, c *ir.CORS, v variant, path fieldPath) error {
	if c == nil || v == grpcVariant {
		return nil
	}
	p := &corsv3.CorsPolicy{
		AllowMethods:     strings.Join(c.AllowMethods, ","),
		AllowHeaders:     strings.Join(c.AllowHeaders, ","),
		ExposeHeaders:    strings.Join(c.ExposeHeaders, ","),
		AllowCredentials: wrapperspb.Bool(c.AllowCredentials),
		// The Gateway answers a preflight itself; Envoy's default would pass
		// one from a disallowed origin on to the backend.
		ForwardNotMatchingPreflights: wrapperspb.Bool(false),
	}
	if c.MaxAge > 0 {
		p.MaxAge = strconv.FormatInt(int64(c.MaxAge/time.Second), 10)
	}
	for i, o := range c.AllowOrigins {
		m, err := originMatcher(o, path.item("allowOrigins", i))
		if err != nil {
			return err
		}
		p.AllowOriginStringMatch = append(p.AllowOriginStringMatch, m)
	}
	cfg, err := pack(p, path.String())
	if err != nil {
		return err
	}
	rt.TypedPerFilterConfig = map[string]*anypb.Any{corsFilterName: cfg}
	return nil
}

// originMatcher matches an allowed origin: each "*" matches any
// characters (the Gateway API's wildcard), the rest literally.
func originMatcher(origin string, path fieldPath) (*matcherv3.StringMatcher, error) {
	if origin == "" {
		return nil, fieldErr(path.String(), "must not be empty")
	}
	if !strings.Contains(origin, "*") {
		return exact(origin), nil
	}
	parts := strings.Split(origin, "*")
	for i, part := range parts {
		parts[i] = regexp.QuoteMeta(part)
	}
	re := strings.Join(parts, ".*")
	if err := checkRegex(re, path); err != nil {
		return nil, err
	}
	return &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_SafeRegex{SafeRegex: regex(re)}}, nil
}
