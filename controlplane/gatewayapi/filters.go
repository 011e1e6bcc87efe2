package gatewayapi

import (
	"fmt"
	"strings"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// ruleFilters is what a rule's filters amount to.
type ruleFilters struct {
	reqHeaders, respHeaders *ir.HeaderModifier
	redirect                *gwapiv1.HTTPRequestRedirectFilter
	rewrite                 *gwapiv1.HTTPURLRewriteFilter
	// mirrors may be several; each is indexed for error messages.
	mirrors []indexedMirror
	cors    *gwapiv1.HTTPCORSFilter
}

type indexedMirror struct {
	field  string
	filter *gwapiv1.HTTPRequestMirrorFilter
}

// compileFilters checks a rule's filters. Filter types this translator does
// not implement make the rule invalid rather than being skipped: the spec
// forbids serving a request as if a filter it names were not there.
func compileFilters(filters []gwapiv1.HTTPRouteFilter, field string) (ruleFilters, *ruleError) {
	var out ruleFilters
	for i, f := range filters {
		ff := fmt.Sprintf("%s[%d]", field, i)
		var err *ruleError
		switch f.Type {
		case gwapiv1.HTTPRouteFilterRequestHeaderModifier:
			out.reqHeaders, err = headerModifier(out.reqHeaders, f.RequestHeaderModifier, ff+".requestHeaderModifier")
		case gwapiv1.HTTPRouteFilterResponseHeaderModifier:
			out.respHeaders, err = headerModifier(out.respHeaders, f.ResponseHeaderModifier, ff+".responseHeaderModifier")
		case gwapiv1.HTTPRouteFilterRequestRedirect:
			err = setOnce(&out.redirect, f.RequestRedirect, ff+".requestRedirect")
		case gwapiv1.HTTPRouteFilterURLRewrite:
			err = setOnce(&out.rewrite, f.URLRewrite, ff+".urlRewrite")
		case gwapiv1.HTTPRouteFilterRequestMirror:
			if f.RequestMirror == nil {
				err = unsupported("%s.requestMirror: must be set for this filter type", ff)
			} else {
				out.mirrors = append(out.mirrors, indexedMirror{field: ff + ".requestMirror", filter: f.RequestMirror})
			}
		case gwapiv1.HTTPRouteFilterCORS:
			err = setOnce(&out.cors, f.CORS, ff+".cors")
		default:
			err = unsupported("%s.type: filter %q is not supported", ff, f.Type)
		}
		if err != nil {
			return out, err
		}
	}
	if out.redirect != nil && out.rewrite != nil {
		return out, &ruleError{reason: gwapiv1.RouteReasonIncompatibleFilters,
			msg: field + ": RequestRedirect and URLRewrite cannot be combined in one rule"}
	}
	return out, nil
}

// setOnce stores the filter's config, which must be present and unique.
func setOnce[T any](dst **T, v *T, field string) *ruleError {
	switch {
	case v == nil:
		return unsupported("%s: must be set for this filter type", field)
	case *dst != nil:
		return unsupported("%s: the filter may appear only once in a rule", field)
	}
	*dst = v
	return nil
}

// headerModifier validates one header filter: per the spec a header name may
// take only one action, compared case-insensitively.
func headerModifier(prev *ir.HeaderModifier, f *gwapiv1.HTTPHeaderFilter, field string) (*ir.HeaderModifier, *ruleError) {
	if prev != nil {
		return nil, unsupported("%s: the filter may appear only once in a rule", field)
	}
	if f == nil {
		return nil, unsupported("%s: must be set for this filter type", field)
	}
	seen := map[string]bool{}
	claim := func(name, where string) *ruleError {
		lower := strings.ToLower(name)
		switch {
		case lower == "":
			return unsupported("%s.%s: header name must not be empty", field, where)
		case seen[lower]:
			return unsupported("%s.%s: header %q is given more than one action", field, where, name)
		}
		seen[lower] = true
		return nil
	}
	out := &ir.HeaderModifier{}
	for i, h := range f.Set {
		if err := claim(string(h.Name), fmt.Sprintf("set[%d]", i)); err != nil {
			return nil, err
		}
		out.Set = append(out.Set, ir.Header{Name: string(h.Name), Value: h.Value})
	}
	for i, h := range f.Add {
		if err := claim(string(h.Name), fmt.Sprintf("add[%d]", i)); err != nil {
			return nil, err
		}
		out.Add = append(out.Add, ir.Header{Name: string(h.Name), Value: h.Value})
	}
	for i, name := range f.Remove {
		if err := claim(name, fmt.Sprintf("remove[%d]", i)); err != nil {
			return nil, err
		}
		out.Remove = append(out.Remove, name)
	}
	return out, nil
}

// pathModifier turns a redirect or rewrite path into IR form. A prefix
// replacement only makes sense for rules whose matches are all PathPrefix.
func pathModifier(p *gwapiv1.HTTPPathModifier, matches []ir.Match, field string) (full, prefix *string, err *ruleError) {
	if p == nil {
		return nil, nil, nil
	}
	switch p.Type {
	case gwapiv1.FullPathHTTPPathModifier:
		if p.ReplaceFullPath == nil {
			return nil, nil, unsupported("%s.replaceFullPath: required for type ReplaceFullPath", field)
		}
		return new(*p.ReplaceFullPath), nil, nil
	case gwapiv1.PrefixMatchHTTPPathModifier:
		if p.ReplacePrefixMatch == nil {
			return nil, nil, unsupported("%s.replacePrefixMatch: required for type ReplacePrefixMatch", field)
		}
		for _, m := range matches {
			if m.PathType != ir.PathPrefix {
				return nil, nil, unsupported("%s: ReplacePrefixMatch needs PathPrefix matches, the rule has a match of type %s", field, m.PathType)
			}
		}
		return nil, new(*p.ReplacePrefixMatch), nil
	}
	return nil, nil, unsupported("%s.type: %q is not supported", field, p.Type)
}
