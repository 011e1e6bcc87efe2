package gatewayapi

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// forwardOrFail is the Forward of a rule's backends, or nil when no valid
// backend carries weight, in which case every request gets failStatus.
// Invalid refs keep their share of requests, answered with failStatus.
func forwardOrFail(b backendSet, failStatus uint32) *ir.Forward {
	if len(b.valid) == 0 {
		return nil
	}
	fwd := &ir.Forward{Backends: b.valid}
	if b.invalidWeight > 0 {
		fwd.InvalidBackends = &ir.InvalidBackends{Weight: b.invalidWeight, StatusCode: failStatus}
	}
	return fwd
}

// forwardExtras adds what filters add to a forwarding rule: mirrors and
// CORS. A mirror whose backend cannot be resolved is left out and
// reported like an invalid backendRef (ResolvedRefs False); the rule
// still serves.
func (t *translator) forwardExtras(route metav1.Object, kind gwapiv1.Kind, fwd *ir.Forward, f ruleFilters) (*refFailure, *ruleError) {
	var firstRef *refFailure
	for _, m := range f.mirrors {
		mirror, fail, err := t.compileMirror(route, kind, m)
		switch {
		case err != nil:
			return firstRef, err
		case fail != nil:
			if firstRef == nil {
				firstRef = fail
			}
		default:
			fwd.Mirrors = append(fwd.Mirrors, mirror)
		}
	}
	if f.cors != nil {
		fwd.CORS = compileCORS(f.cors)
	}
	return firstRef, nil
}

func (t *translator) compileMirror(route metav1.Object, kind gwapiv1.Kind, m indexedMirror) (ir.Mirror, *refFailure, *ruleError) {
	out := ir.Mirror{}
	switch {
	case m.filter.Percent != nil && m.filter.Fraction != nil:
		return out, nil, unsupported("%s: percent and fraction are mutually exclusive", m.field)
	case m.filter.Percent != nil:
		p := *m.filter.Percent
		if p < 0 || p > 100 {
			return out, nil, unsupported("%s.percent: %d is outside 0-100", m.field, p)
		}
		out.Numerator, out.Denominator = uint32(p), 100
	case m.filter.Fraction != nil:
		n, d := m.filter.Fraction.Numerator, int32(100)
		if m.filter.Fraction.Denominator != nil {
			d = *m.filter.Fraction.Denominator
		}
		if n < 0 || d < 1 || n > d {
			return out, nil, unsupported("%s.fraction: %d/%d is not a fraction between 0 and 1", m.field, n, d)
		}
		out.Numerator, out.Denominator = uint32(n), uint32(d)
	}
	cluster, fail := t.resolveBackendRef(route, kind, m.filter.BackendRef, m.field+".backendRef")
	out.Cluster = cluster
	return out, fail, nil
}

// defaultRetryAttempts is used when a retry stanza leaves attempts out; it
// is Envoy's own default.
const defaultRetryAttempts = 1

func compileRetry(r *gwapiv1.HTTPRouteRetry, field string) (*ir.Retry, *ruleError) {
	if r == nil {
		return nil, nil
	}
	out := &ir.Retry{Attempts: defaultRetryAttempts}
	if r.Attempts != nil {
		if *r.Attempts < 1 {
			return nil, unsupported("%s.attempts: %d must be at least 1", field, *r.Attempts)
		}
		out.Attempts = uint32(*r.Attempts)
	}
	for i, c := range r.Codes {
		if c < 400 || c > 599 {
			return nil, unsupported("%s.codes[%d]: %d is not a 4xx or 5xx status", field, i, c)
		}
		out.Codes = append(out.Codes, uint32(c))
	}
	if r.Backoff != nil {
		d, err := parseGEPDuration(r.Backoff, field+".backoff")
		if err != nil {
			return nil, err
		}
		out.Backoff = max(d, 0)
	}
	return out, nil
}

func compileCORS(c *gwapiv1.HTTPCORSFilter) *ir.CORS {
	out := &ir.CORS{
		AllowCredentials: c.AllowCredentials != nil && *c.AllowCredentials,
		MaxAge:           time.Duration(c.MaxAge) * time.Second,
	}
	for _, o := range c.AllowOrigins {
		out.AllowOrigins = append(out.AllowOrigins, string(o))
	}
	for _, m := range c.AllowMethods {
		out.AllowMethods = append(out.AllowMethods, string(m))
	}
	for _, h := range c.AllowHeaders {
		out.AllowHeaders = append(out.AllowHeaders, string(h))
	}
	for _, h := range c.ExposeHeaders {
		out.ExposeHeaders = append(out.ExposeHeaders, string(h))
	}
	return out
}
