package translator

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

func setAction(rt *routev3.Route, r *ir.Route, clusters map[string]*ir.Cluster, v variant, route fieldPath) error {
	a := &r.Action
	path := route.field("action")
	if n := countSet(a.Forward != nil, a.Redirect != nil, a.DirectResponse != nil); n != 1 {
		return fieldErr(path.String(), "exactly one of forward, redirect, directResponse must be set, got %d", n)
	}
	switch {
	case a.Forward != nil:
		ra, err := routeAction(a.Forward, &r.Match, clusters, v, path.field("forward"))
		if err != nil {
			return err
		}
		rt.Action = &routev3.Route_Route{Route: ra}
	case a.Redirect != nil:
		ra, err := redirectAction(a.Redirect, &r.Match, path.field("redirect"))
		if err != nil {
			return err
		}
		rt.Action = &routev3.Route_Redirect{Redirect: ra}
	default:
		da, err := directResponse(a.DirectResponse, path.field("directResponse"))
		if err != nil {
			return err
		}
		rt.Action = &routev3.Route_DirectResponse{DirectResponse: da}
	}
	return nil
}

func countSet(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func routeAction(f *ir.Forward, m *ir.Match, clusters map[string]*ir.Cluster, v variant, path fieldPath) (*routev3.RouteAction, error) {
	ra := &routev3.RouteAction{}
	if err := setClusters(ra, f, clusters, v, path); err != nil {
		return nil, err
	}
	if err := setRewrite(ra, f.Rewrite, m, path.field("rewrite")); err != nil {
		return nil, err
	}
	if f.Timeout < 0 || f.BackendTimeout < 0 {
		return nil, fieldErr(path.sub("timeout"), "must not be negative")
	}
	if v == grpcVariant {
		// gRPC reads neither timeout nor retry_policy.per_try_timeout, only
		// max_stream_duration, which bounds the whole call.
		if d := firstNonZero(f.Timeout, f.BackendTimeout); d > 0 {
			ra.MaxStreamDuration = &routev3.RouteAction_MaxStreamDuration{MaxStreamDuration: durationpb.New(d)}
		}
		return ra, nil
	}
	if f.Timeout > 0 {
		ra.Timeout = durationpb.New(f.Timeout)
	}
	ra.RetryPolicy = retryPolicy(f.Retry, f.BackendTimeout)
	if err := setMirrors(ra, f.Mirrors, clusters, v, path.field("mirrors")); err != nil {
		return nil, err
	}
	return ra, nil
}

// setClusters renders the backends of the forward at path.
func setClusters(ra *routev3.RouteAction, f *ir.Forward, clusters map[string]*ir.Cluster, v variant, path fieldPath) error {
	backends := f.Backends
	// One plain backend, most routes, needs no weighted entries; this is
	// what the loop below ends in for it, without building and dropping
	// them. A backend that stands for several gRPC clusters takes the loop.
	if len(backends) == 1 && backends[0].Weight > 0 && backends[0].RequestHeaders == nil &&
		backends[0].ResponseHeaders == nil && !hasInvalidShare(f.InvalidBackends, v) {
		if c := clusters[backends[0].Cluster]; c != nil && !splitForGRPC(c, v) {
			ra.ClusterSpecifier = &routev3.RouteAction_Cluster{Cluster: c.Name}
			return nil
		}
	}
	bs := path.field("backends")
	var wcs []*routev3.WeightedCluster_ClusterWeight
	filtered := false
	for i, b := range backends {
		bpath := bs.at(i)
		c, ok := clusters[b.Cluster]
		if !ok {
			return fieldErr(bpath.sub("cluster"), "cluster %q is not in clusters", b.Cluster)
		}
		if b.Weight == 0 {
			continue
		}
		reqAdd, reqRemove, err := headerOptions(b.RequestHeaders, bpath.field("requestHeaders"))
		if err != nil {
			return err
		}
		respAdd, respRemove, err := headerOptions(b.ResponseHeaders, bpath.field("responseHeaders"))
		if err != nil {
			return err
		}
		filtered = filtered || b.RequestHeaders != nil || b.ResponseHeaders != nil
		for _, name := range clusterNames(c, v) {
			wcs = append(wcs, &routev3.WeightedCluster_ClusterWeight{
				Name: name, Weight: wrapperspb.UInt32(b.Weight),
				RequestHeadersToAdd: reqAdd, RequestHeadersToRemove: reqRemove,
				ResponseHeadersToAdd: respAdd, ResponseHeadersToRemove: respRemove,
			})
		}
	}
	if len(wcs) == 0 {
		return fieldErr(bs.String(), "needs at least one backend with weight > 0")
	}
	invalid, err := invalidShare(ra, f.InvalidBackends, v, path.field("invalidBackends"))
	if err != nil {
		return err
	}
	if len(wcs) == 1 && !filtered && invalid == nil {
		ra.ClusterSpecifier = &routev3.RouteAction_Cluster{Cluster: wcs[0].Name}
		return nil
	}
	if err := scaleSplit(wcs, backends, clusters, v); err != nil {
		return fieldErr(bs.String(), "%v", err)
	}
	if invalid != nil {
		wcs = append(wcs, invalid)
	}
	ra.ClusterSpecifier = &routev3.RouteAction_WeightedClusters{WeightedClusters: &routev3.WeightedCluster{Clusters: wcs}}
	return nil
}

// invalidCluster names no cluster: Envoy answers the requests its weight
// draws with the route's cluster_not_found_response_code, which is how
// the invalid backendRefs of a split get their share of errors.
const invalidCluster = "invalid-backend-ref"

var notFoundCodes = map[uint32]routev3.RouteAction_ClusterNotFoundResponseCode{
	500: routev3.RouteAction_INTERNAL_SERVER_ERROR,
	503: routev3.RouteAction_SERVICE_UNAVAILABLE,
	404: routev3.RouteAction_NOT_FOUND,
}

// invalidShare is the weighted entry of the invalid backends. gRPC has no
// cluster_not_found_response_code, so its variant leaves the share out
// and sends everything to the valid backends.
func invalidShare(ra *routev3.RouteAction, ib *ir.InvalidBackends, v variant, path fieldPath) (*routev3.WeightedCluster_ClusterWeight, error) {
	if !hasInvalidShare(ib, v) {
		return nil, nil
	}
	code, ok := notFoundCodes[ib.StatusCode]
	if !ok {
		return nil, fieldErr(path.sub("statusCode"), "%d is not supported (want 500, 503 or 404)", ib.StatusCode)
	}
	ra.ClusterNotFoundResponseCode = code
	return &routev3.WeightedCluster_ClusterWeight{Name: invalidCluster, Weight: wrapperspb.UInt32(ib.Weight)}, nil
}

func hasInvalidShare(ib *ir.InvalidBackends, v variant) bool {
	return ib != nil && ib.Weight != 0 && v != grpcVariant
}

// scaleSplit keeps the backends' shares when the gRPC variant has split a
// DNS cluster of k hostnames into k clusters (see grpcDNSClusters): each part
// gets weight*L/k, with L the least common multiple of all k, so a backend's
// parts together still weigh weight*L, as every other backend does.
func scaleSplit(wcs []*routev3.WeightedCluster_ClusterWeight, backends []ir.WeightedCluster, clusters map[string]*ir.Cluster, v variant) error {
	if v != grpcVariant {
		return nil
	}
	l := uint64(1)
	for _, b := range backends {
		if b.Weight > 0 {
			l = lcm(l, uint64(len(clusterNames(clusters[b.Cluster], v))))
		}
	}
	if l == 1 {
		return nil
	}
	i := 0
	var total uint64
	for _, b := range backends {
		if b.Weight == 0 {
			continue
		}
		k := uint64(len(clusterNames(clusters[b.Cluster], v)))
		for range k {
			w := uint64(b.Weight) * l / k
			total += w
			if total > math.MaxUint32 {
				return fmt.Errorf("weights too large after splitting DNS clusters for gRPC")
			}
			wcs[i].Weight = wrapperspb.UInt32(uint32(w))
			i++
		}
	}
	return nil
}

func lcm(a, b uint64) uint64 {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

func firstNonZero[T comparable](vs ...T) T {
	var zero T
	for _, v := range vs {
		if v != zero {
			return v
		}
	}
	return zero
}

// setRewrite renders URLRewrite. gRPC ignores every rewrite; the fields are
// still sent so that both variants describe the same routes.
func setRewrite(ra *routev3.RouteAction, rw *ir.Rewrite, m *ir.Match, path fieldPath) error {
	if rw == nil {
		return nil
	}
	if rw.Hostname != "" {
		ra.HostRewriteSpecifier = &routev3.RouteAction_HostRewriteLiteral{HostRewriteLiteral: rw.Hostname}
	}
	switch {
	case rw.FullPath != nil && rw.PrefixPath != nil:
		return fieldErr(path.String(), "fullPath and prefixPath are mutually exclusive")
	case rw.FullPath != nil:
		if err := checkPath(*rw.FullPath, path.field("fullPath")); err != nil {
			return err
		}
		ra.RegexRewrite = fullPathRewrite(*rw.FullPath)
	case rw.PrefixPath != nil:
		prefix, re, err := prefixRewrite(*rw.PrefixPath, m, path.field("prefixPath"))
		if err != nil {
			return err
		}
		ra.PrefixRewrite, ra.RegexRewrite = prefix, re
	}
	return nil
}

// fullPathRewrite replaces the whole path; Envoy applies regex_rewrite to
// the path only, so the query string is kept, as Gateway API requires.
func fullPathRewrite(p string) *matcherv3.RegexMatchAndSubstitute {
	return &matcherv3.RegexMatchAndSubstitute{
		Pattern:      regex("^/.*$"),
		Substitution: escapeSubstitution(p),
	}
}

// escapeSubstitution protects a literal path from being read as a
// back-reference: Envoy's RE2 substitution treats "\1" specially.
func escapeSubstitution(s string) string {
	return strings.ReplaceAll(s, `\`, `\\`)
}

// prefixRewrite renders ReplacePrefixMatch. With prefix P (trailing "/"
// dropped) and replacement R, a path P+rest becomes R+rest:
//
//   - R without its trailing "/" is what replaces P, so "/xyz/" behaves like
//     "/xyz" and "/foo/bar" becomes "/xyz/bar", never "/xyz//bar".
//   - R empty or "/": Envoy's prefix_rewrite would give "//bar" or "bar"
//     (envoyproxy/envoy#26055), so P and the slashes after it are replaced
//     by one "/" with a regex: "/foo/bar" -> "/bar", "/foo" -> "/".
//   - P empty (PathPrefix "/"): rest is the whole path and keeps its leading
//     "/", so prefix_rewrite is R+"/".
func prefixRewrite(replacement string, m *ir.Match, path fieldPath) (string, *matcherv3.RegexMatchAndSubstitute, error) {
	if m.PathType != ir.PathPrefix {
		return "", nil, fieldErr(path.String(), "needs a PathPrefix match, the route has %q", m.PathType)
	}
	if replacement != "" {
		if err := checkPath(replacement, path); err != nil {
			return "", nil, err
		}
	}
	p, r := trimPrefix(m.Path), trimPrefix(replacement)
	switch {
	case p == "" && r == "":
		return "", nil, nil
	case p == "":
		return r + "/", nil, nil
	case r == "":
		return "", &matcherv3.RegexMatchAndSubstitute{
			Pattern:      regex("^" + regexp.QuoteMeta(p) + "/*"),
			Substitution: "/",
		}, nil
	default:
		return r, nil, nil
	}
}
