package gatewayapi

import (
	"fmt"
	"regexp"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// ruleIR is a valid rule, ready to be placed in virtual hosts.
type ruleIR struct {
	index   int
	matches []ir.Match
	action  ir.Action
	// redirectToListenerPort is set when the spec derives the redirect port
	// from the listener the request came in on.
	redirectToListenerPort  bool
	reqHeaders, respHeaders *ir.HeaderModifier
	// grpc ranks each match of a GRPCRoute rule (precedence.go).
	grpc []grpcRank
}

// defaultRules is the CRD default for an HTTPRoute without rules.
var defaultRules = []gwapiv1.HTTPRouteRule{{}}

// compileRule returns the rule's IR or why it is invalid, and separately
// the first invalid backendRef, which the route's ResolvedRefs reports even
// when the rest of the rule is fine.
func (t *translator) compileRule(route *gwapiv1.HTTPRoute, i int, rule *gwapiv1.HTTPRouteRule) (*ruleIR, *ruleError, *refFailure) {
	field := fmt.Sprintf("spec.rules[%d]", i)
	backends, refErr, ruleErr := t.compileBackendRefs(route, kindHTTPRoute, httpBackends(rule.BackendRefs), field+".backendRefs")
	out := &ruleIR{index: i}
	first := func(e *ruleError) {
		if ruleErr == nil {
			ruleErr = e
		}
	}
	matches := rule.Matches
	if len(matches) == 0 {
		matches = []gwapiv1.HTTPRouteMatch{{}}
	}
	for j, m := range matches {
		im, err := compileMatch(m, fmt.Sprintf("%s.matches[%d]", field, j))
		if err != nil {
			first(err)
			break
		}
		out.matches = append(out.matches, im)
	}
	filters, err := compileFilters(rule.Filters, field+".filters")
	if err != nil {
		first(err)
	}
	if rule.SessionPersistence != nil {
		first(unsupported("%s.sessionPersistence: session persistence is not supported yet", field))
	}
	if ruleErr != nil {
		return nil, ruleErr, refErr
	}
	out.reqHeaders, out.respHeaders = filters.reqHeaders, filters.respHeaders
	if err := out.setAction(rule, filters, backends, field); err != nil {
		return nil, err, refErr
	}
	if fwd := out.action.Forward; fwd != nil {
		mirrorRef, err := t.forwardExtras(route, kindHTTPRoute, fwd, filters)
		if err != nil {
			return nil, err, refErr
		}
		if refErr == nil {
			refErr = mirrorRef
		}
		if fwd.Retry, err = compileRetry(rule.Retry, field+".retry"); err != nil {
			return nil, err, refErr
		}
	}
	return out, nil, refErr
}

// backendIn is a backendRef of any HTTP-like route kind, with its filters
// in HTTPRoute form.
type backendIn struct {
	ref     gwapiv1.BackendRef
	filters []gwapiv1.HTTPRouteFilter
}

func httpBackends(refs []gwapiv1.HTTPBackendRef) []backendIn {
	out := make([]backendIn, len(refs))
	for i, r := range refs {
		out[i] = backendIn{ref: r.BackendRef, filters: r.Filters}
	}
	return out
}

// backendSet is what a rule's backendRefs resolve to.
type backendSet struct {
	valid []ir.WeightedCluster
	// invalidWeight is the weight of the invalid refs: the spec wants
	// that share of requests answered with an error.
	invalidWeight uint32
}

// compileBackendRefs resolves every backendRef. Invalid ones are dropped
// from the valid set but keep their weight; refs of weight 0 are dropped.
func (t *translator) compileBackendRefs(route metav1.Object, kind gwapiv1.Kind, refs []backendIn, field string) (backendSet, *refFailure, *ruleError) {
	var out backendSet
	var refErr *refFailure
	for j, br := range refs {
		bf := fmt.Sprintf("%s[%d]", field, j)
		req, resp, ruleErr := backendFilters(br.filters, bf+".filters")
		if ruleErr != nil {
			return out, refErr, ruleErr
		}
		weight := int64(1)
		if br.ref.Weight != nil {
			weight = int64(*br.ref.Weight)
		}
		cluster, fail := t.resolveBackendRef(route, kind, br.ref.BackendObjectReference, bf)
		if fail != nil {
			if refErr == nil {
				refErr = fail
			}
			out.invalidWeight += uint32(max(weight, 0))
			continue
		}
		if weight <= 0 {
			continue
		}
		wc := ir.WeightedCluster{Cluster: cluster, Weight: uint32(weight), RequestHeaders: req, ResponseHeaders: resp}
		// The same backend twice in a rule is one cluster with both
		// weights, unless filters tell the two apart.
		if k := indexOfCluster(out.valid, cluster); k >= 0 && req == nil && resp == nil &&
			out.valid[k].RequestHeaders == nil && out.valid[k].ResponseHeaders == nil {
			out.valid[k].Weight += uint32(weight)
			continue
		}
		out.valid = append(out.valid, wc)
	}
	return out, refErr, nil
}

// backendFilters are a backendRef's own filters: header modifiers only.
func backendFilters(filters []gwapiv1.HTTPRouteFilter, field string) (req, resp *ir.HeaderModifier, err *ruleError) {
	f, err := compileFilters(filters, field)
	if err != nil {
		return nil, nil, err
	}
	if f.redirect != nil || f.rewrite != nil || len(f.mirrors) > 0 || f.cors != nil {
		return nil, nil, unsupported("%s: only RequestHeaderModifier and ResponseHeaderModifier are supported on a backendRef", field)
	}
	return f.reqHeaders, f.respHeaders, nil
}

func indexOfCluster(wcs []ir.WeightedCluster, name string) int {
	for i, wc := range wcs {
		if wc.Cluster == name {
			return i
		}
	}
	return -1
}

func (r *ruleIR) setAction(rule *gwapiv1.HTTPRouteRule, f ruleFilters, backends backendSet, field string) *ruleError {
	if f.redirect != nil {
		if len(rule.BackendRefs) > 0 {
			return unsupported("%s: a RequestRedirect filter cannot be combined with backendRefs", field)
		}
		redirect, toListener, err := buildRedirect(f.redirect, r.matches, field+".filters.requestRedirect")
		if err != nil {
			return err
		}
		r.action.Redirect, r.redirectToListenerPort = redirect, toListener
		return nil
	}
	fwd := forwardOrFail(backends, 500)
	if fwd == nil {
		r.action.DirectResponse = &ir.DirectResponse{StatusCode: 500}
		return nil
	}
	if f.rewrite != nil {
		rw, err := buildRewrite(f.rewrite, r.matches, field+".filters.urlRewrite")
		if err != nil {
			return err
		}
		fwd.Rewrite = rw
	}
	var err *ruleError
	if fwd.Timeout, fwd.BackendTimeout, err = parseTimeouts(rule.Timeouts, field+".timeouts"); err != nil {
		return err
	}
	r.action.Forward = fwd
	return nil
}

func buildRedirect(f *gwapiv1.HTTPRequestRedirectFilter, matches []ir.Match, field string) (*ir.Redirect, bool, *ruleError) {
	out := &ir.Redirect{StatusCode: 302}
	if f.StatusCode != nil {
		out.StatusCode = *f.StatusCode
	}
	switch out.StatusCode {
	case 301, 302, 303, 307, 308:
	default:
		return nil, false, unsupported("%s.statusCode: %d is not supported; supported: 301, 302, 303, 307, 308", field, out.StatusCode)
	}
	if f.Scheme != nil {
		out.Scheme = *f.Scheme
		if out.Scheme != "http" && out.Scheme != "https" {
			return nil, false, unsupported("%s.scheme: %q is not supported; supported: http, https", field, out.Scheme)
		}
	}
	if f.Hostname != nil {
		out.Hostname = string(*f.Hostname)
	}
	var err *ruleError
	if out.FullPath, out.PrefixPath, err = pathModifier(f.Path, matches, field+".path"); err != nil {
		return nil, false, err
	}
	// The spec's port rules: an explicit port; else the scheme's well-known
	// port; else the port of the listener the request came in on.
	switch {
	case f.Port != nil:
		if *f.Port < 1 || *f.Port > 65535 {
			return nil, false, unsupported("%s.port: %d is outside 1-65535", field, *f.Port)
		}
		out.Port = uint32(*f.Port)
	case out.Scheme == "http":
		out.Port = 80
	case out.Scheme == "https":
		out.Port = 443
	default:
		return out, true, nil
	}
	return out, false, nil
}

func buildRewrite(f *gwapiv1.HTTPURLRewriteFilter, matches []ir.Match, field string) (*ir.Rewrite, *ruleError) {
	out := &ir.Rewrite{}
	if f.Hostname != nil {
		out.Hostname = string(*f.Hostname)
	}
	var err *ruleError
	if out.FullPath, out.PrefixPath, err = pathModifier(f.Path, matches, field+".path"); err != nil {
		return nil, err
	}
	return out, nil
}

// gepDuration is the Gateway API duration format (GEP-2257).
var gepDuration = regexp.MustCompile(`^([0-9]{1,5}(h|m|s|ms)){1,4}$`)

// noTimeout stands for "0s", which the spec says disables a timeout; the IR
// uses zero for "unset", so the spec's fallback applies: the longest value
// the format can express.
const noTimeout = 99999*time.Hour + 59*time.Minute + 59*time.Second + 999*time.Millisecond

func parseTimeouts(to *gwapiv1.HTTPRouteTimeouts, field string) (request, backend time.Duration, err *ruleError) {
	if to == nil {
		return 0, 0, nil
	}
	if request, err = parseGEPDuration(to.Request, field+".request"); err != nil {
		return 0, 0, err
	}
	if backend, err = parseGEPDuration(to.BackendRequest, field+".backendRequest"); err != nil {
		return 0, 0, err
	}
	// The CRD's rule: a backend timeout may not outlast the request's,
	// unless either is "0s" (disabled).
	if request > 0 && backend > request {
		return 0, 0, unsupported("%s.backendRequest: %s is longer than request %s", field, *to.BackendRequest, *to.Request)
	}
	return disabledAsMax(request), disabledAsMax(backend), nil
}

func disabledAsMax(d time.Duration) time.Duration {
	if d == disabled {
		return noTimeout
	}
	return d
}

// disabled marks a "0s" duration while parsing, apart from an unset one.
const disabled time.Duration = -1

func parseGEPDuration(d *gwapiv1.Duration, field string) (time.Duration, *ruleError) {
	if d == nil {
		return 0, nil
	}
	if !gepDuration.MatchString(string(*d)) {
		return 0, unsupported("%s: %q is not a Gateway API duration such as 1h2m3s or 500ms", field, *d)
	}
	v, err := time.ParseDuration(string(*d))
	if err != nil {
		return 0, unsupported("%s: %v", field, err)
	}
	if v == 0 {
		return disabled, nil
	}
	return v, nil
}
