package translator

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

var redirectCodes = map[int]routev3.RedirectAction_RedirectResponseCode{
	301: routev3.RedirectAction_MOVED_PERMANENTLY,
	302: routev3.RedirectAction_FOUND,
	303: routev3.RedirectAction_SEE_OTHER,
	307: routev3.RedirectAction_TEMPORARY_REDIRECT,
	308: routev3.RedirectAction_PERMANENT_REDIRECT,
}

// redirectAction renders RequestRedirect. The Gateway API translator has
// already decided the port (a scheme change implies the scheme's well-known
// port); here an empty field keeps the request's value, which is Envoy's
// behaviour for an unset field. gRPC cannot follow redirects: it fails a call
// that matches this route with UNAVAILABLE.
func redirectAction(r *ir.Redirect, m *ir.Match, path fieldPath) (*routev3.RedirectAction, error) {
	code, ok := redirectCodes[r.StatusCode]
	if !ok {
		return nil, fieldErr(path.sub("statusCode"), "unsupported redirect status %d (want 301, 302, 303, 307 or 308)", r.StatusCode)
	}
	ra := &routev3.RedirectAction{
		HostRedirect: r.Hostname,
		PortRedirect: r.Port,
		ResponseCode: code,
	}
	switch r.Scheme {
	case "":
	case "http", "https":
		ra.SchemeRewriteSpecifier = &routev3.RedirectAction_SchemeRedirect{SchemeRedirect: r.Scheme}
	default:
		return nil, fieldErr(path.sub("scheme"), "unsupported scheme %q (want http or https)", r.Scheme)
	}
	if r.Port > 65535 {
		return nil, fieldErr(path.sub("port"), "%d is not a port", r.Port)
	}
	switch {
	case r.FullPath != nil && r.PrefixPath != nil:
		return nil, fieldErr(path.String(), "fullPath and prefixPath are mutually exclusive")
	case r.FullPath != nil:
		if err := checkPath(*r.FullPath, path.field("fullPath")); err != nil {
			return nil, err
		}
		ra.PathRewriteSpecifier = &routev3.RedirectAction_PathRedirect{PathRedirect: *r.FullPath}
	case r.PrefixPath != nil:
		prefix, re, err := prefixRewrite(*r.PrefixPath, m, path.field("prefixPath"))
		if err != nil {
			return nil, err
		}
		if re != nil {
			ra.PathRewriteSpecifier = &routev3.RedirectAction_RegexRewrite{RegexRewrite: re}
		} else if prefix != "" {
			ra.PathRewriteSpecifier = &routev3.RedirectAction_PrefixRewrite{PrefixRewrite: prefix}
		}
	}
	return ra, nil
}

// directResponse answers locally. gRPC fails a matching call with
// UNAVAILABLE, which is what a 500 "no valid backend" response means anyway.
func directResponse(d *ir.DirectResponse, path fieldPath) (*routev3.DirectResponseAction, error) {
	if d.StatusCode < 200 || d.StatusCode > 599 {
		return nil, fieldErr(path.sub("statusCode"), "%d is not an HTTP status between 200 and 599", d.StatusCode)
	}
	da := &routev3.DirectResponseAction{Status: d.StatusCode}
	if d.Body != "" {
		da.Body = &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{InlineString: d.Body}}
	}
	return da, nil
}
