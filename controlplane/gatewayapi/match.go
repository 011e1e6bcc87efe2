package gatewayapi

import (
	"fmt"
	"regexp/syntax"
	"strings"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// ruleError is why a rule is dropped: UnsupportedValue, or
// IncompatibleFilters for filters that cannot be combined.
type ruleError struct {
	reason gwapiv1.RouteConditionReason
	msg    string
}

func (e *ruleError) Error() string { return e.msg }

func unsupported(format string, args ...any) *ruleError {
	return &ruleError{reason: gwapiv1.RouteReasonUnsupportedValue, msg: fmt.Sprintf(format, args...)}
}

var methods = map[gwapiv1.HTTPMethod]bool{
	gwapiv1.HTTPMethodGet: true, gwapiv1.HTTPMethodHead: true, gwapiv1.HTTPMethodPost: true,
	gwapiv1.HTTPMethodPut: true, gwapiv1.HTTPMethodDelete: true, gwapiv1.HTTPMethodConnect: true,
	gwapiv1.HTTPMethodOptions: true, gwapiv1.HTTPMethodTrace: true, gwapiv1.HTTPMethodPatch: true,
}

// compileMatch applies the CRD defaults (PathPrefix "/", Exact) and checks
// what the CRD schema cannot: regular expressions must compile as RE2,
// which both Envoy and gRPC use, so a bad one never reaches a proxy.
func compileMatch(m gwapiv1.HTTPRouteMatch, field string) (ir.Match, *ruleError) {
	out, err := compilePath(m.Path, field+".path")
	if err != nil {
		return out, err
	}
	if m.Method != nil {
		if !methods[*m.Method] {
			return out, unsupported("%s.method: %q is not supported", field, *m.Method)
		}
		out.Method = string(*m.Method)
	}
	if out.Headers, err = compileHeaderMatches(m.Headers, field, func(h gwapiv1.HTTPHeaderMatch) (string, *string, string) {
		return string(h.Name), (*string)(h.Type), h.Value
	}); err != nil {
		return out, err
	}
	seen := map[string]bool{}
	for i, q := range m.QueryParams {
		name := string(q.Name)
		if seen[name] {
			continue
		}
		seen[name] = true
		sm, err := compileStringMatch(name, (*string)(q.Type), q.Value, fmt.Sprintf("%s.queryParams[%d]", field, i))
		if err != nil {
			return out, err
		}
		out.QueryParams = append(out.QueryParams, sm)
	}
	return out, nil
}

func compilePath(p *gwapiv1.HTTPPathMatch, field string) (ir.Match, *ruleError) {
	typ, value := gwapiv1.PathMatchPathPrefix, "/"
	if p != nil && p.Type != nil {
		typ = *p.Type
	}
	if p != nil && p.Value != nil {
		value = *p.Value
	}
	switch typ {
	case gwapiv1.PathMatchExact, gwapiv1.PathMatchPathPrefix:
		if !strings.HasPrefix(value, "/") {
			return ir.Match{}, unsupported("%s.value: %q must start with '/'", field, value)
		}
		if typ == gwapiv1.PathMatchExact {
			return ir.Match{PathType: ir.PathExact, Path: value}, nil
		}
		// A trailing '/' does not change what a prefix matches.
		if len(value) > 1 {
			value = strings.TrimRight(value, "/")
			if value == "" {
				value = "/"
			}
		}
		return ir.Match{PathType: ir.PathPrefix, Path: value}, nil
	case gwapiv1.PathMatchRegularExpression:
		if err := checkRegexp(value); err != nil {
			return ir.Match{}, unsupported("%s.value: invalid regular expression: %v", field, err)
		}
		return ir.Match{PathType: ir.PathRegex, Path: value}, nil
	}
	return ir.Match{}, unsupported("%s.type: %q is not supported", field, typ)
}

// compileStringMatch handles header and query parameter matches, whose
// match types share their values.
// compileHeaderMatches compiles the header matches of an HTTPRoute or a
// GRPCRoute match. Header names are case-insensitive; only the first of a
// name counts.
func compileHeaderMatches[H any](headers []H, field string, parts func(H) (name string, typ *string, value string)) ([]ir.StringMatch, *ruleError) {
	var out []ir.StringMatch
	seen := map[string]bool{}
	for i, h := range headers {
		n, typ, value := parts(h)
		name := strings.ToLower(n)
		if seen[name] {
			continue
		}
		seen[name] = true
		sm, err := compileStringMatch(name, typ, value, fmt.Sprintf("%s.headers[%d]", field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, sm)
	}
	return out, nil
}

func compileStringMatch(name string, typ *string, value, field string) (ir.StringMatch, *ruleError) {
	if name == "" {
		return ir.StringMatch{}, unsupported("%s.name: must not be empty", field)
	}
	t := string(gwapiv1.HeaderMatchExact)
	if typ != nil {
		t = *typ
	}
	switch t {
	case string(gwapiv1.HeaderMatchExact):
		return ir.StringMatch{Name: name, Type: ir.StringExact, Value: value}, nil
	case string(gwapiv1.HeaderMatchRegularExpression):
		if err := checkRegexp(value); err != nil {
			return ir.StringMatch{}, unsupported("%s.value: invalid regular expression: %v", field, err)
		}
		return ir.StringMatch{Name: name, Type: ir.StringRegex, Value: value}, nil
	}
	return ir.StringMatch{}, unsupported("%s.type: %q is not supported", field, t)
}

// checkRegexp is regexp.Compile's verdict on re, with the same error:
// only its parse can fail, and parsing alone skips building the matcher,
// which the translator never runs.
func checkRegexp(re string) error {
	_, err := syntax.Parse(re, syntax.Perl)
	return err
}
