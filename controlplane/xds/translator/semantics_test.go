package translator

import (
	"regexp"
	"strings"
	"testing"

	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// gatewayPrefixMatch is the Gateway API definition of PathPrefix, written
// independently of the translator: element-wise, trailing "/" ignored.
func gatewayPrefixMatch(prefix, path string) bool {
	p := strings.TrimRight(prefix, "/")
	return p == "" || path == p || strings.HasPrefix(path, p+"/")
}

// TestGRPCPrefixRegexMatchesGatewaySemantics checks the regex the gRPC
// variant uses instead of path_separated_prefix, compiled as grpc-go
// compiles it, against the spec's definition.
func TestGRPCPrefixRegexMatchesGatewaySemantics(t *testing.T) {
	prefixes := []string{"/", "/foo", "/foo/", "/foo/bar", "/v1.2", "/a+b", "/pkg.Service"}
	paths := []string{
		"/", "/foo", "/foo/", "/foobar", "/foo/bar", "/foo/bar/baz", "/foo/barx",
		"/v1.2", "/v1x2", "/v1.2/x", "/a+b", "/aab", "/a+b/c",
		"/pkg.Service/Method", "/pkg.ServiceX/Method", "/pkgxService/Method",
	}
	for _, prefix := range prefixes {
		rm := &routev3.RouteMatch{}
		setPrefixMatch(rm, prefix, grpcVariant)
		for _, path := range paths {
			want := gatewayPrefixMatch(prefix, path)
			got := grpcPathMatches(t, rm, path)
			if got != want {
				t.Errorf("prefix %q, path %q: gRPC route matches=%v, Gateway API says %v", prefix, path, got, want)
			}
		}
	}
}

// grpcPathMatches evaluates a path specifier the way grpc-go does.
func grpcPathMatches(t *testing.T, rm *routev3.RouteMatch, path string) bool {
	t.Helper()
	switch ps := rm.PathSpecifier.(type) {
	case *routev3.RouteMatch_Prefix:
		return strings.HasPrefix(path, ps.Prefix)
	case *routev3.RouteMatch_Path:
		return path == ps.Path
	case *routev3.RouteMatch_SafeRegex:
		return regexp.MustCompile("^(?:" + ps.SafeRegex.GetRegex() + ")$").MatchString(path)
	default:
		t.Fatalf("gRPC cannot evaluate %T", ps)
		return false
	}
}

// envoyRewrite applies a prefix_rewrite or regex_rewrite as Envoy does:
// prefix_rewrite replaces the matched prefix; regex_rewrite substitutes
// every match in the path.
func envoyRewrite(matched, prefixRewrite string, re *regexp.Regexp, subst, path string) string {
	switch {
	case re != nil:
		return re.ReplaceAllLiteralString(path, subst)
	case prefixRewrite != "":
		return prefixRewrite + strings.TrimPrefix(path, matched)
	default:
		return path
	}
}

// TestPrefixRewriteTable checks ReplacePrefixMatch against the table in the
// Gateway API HTTPPathModifier documentation, plus a PathPrefix "/" case.
func TestPrefixRewriteTable(t *testing.T) {
	cases := []struct{ path, prefix, replace, want string }{
		{"/foo/bar", "/foo", "/xyz", "/xyz/bar"},
		{"/foo/bar", "/foo", "/xyz/", "/xyz/bar"},
		{"/foo/bar", "/foo/", "/xyz", "/xyz/bar"},
		{"/foo/bar", "/foo/", "/xyz/", "/xyz/bar"},
		{"/foo", "/foo", "/xyz", "/xyz"},
		{"/foo/", "/foo", "/xyz", "/xyz/"},
		{"/foo/bar", "/foo", "", "/bar"},
		{"/foo/", "/foo", "", "/"},
		{"/foo", "/foo", "", "/"},
		{"/foo/", "/foo", "/", "/"},
		{"/foo", "/foo", "/", "/"},
		{"/bar", "/", "/app", "/app/bar"},
		{"/bar", "/", "/", "/bar"},
	}
	for _, c := range cases {
		m := &ir.Match{PathType: ir.PathPrefix, Path: c.prefix}
		prefix, rr, err := prefixRewrite(c.replace, m, rootPath("x"))
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		var re *regexp.Regexp
		var subst string
		if rr != nil {
			re, subst = regexp.MustCompile(rr.GetPattern().GetRegex()), rr.GetSubstitution()
		}
		// What Envoy's path_separated_prefix (or prefix "/") matched.
		matched := trimPrefix(c.prefix)
		if matched == "" {
			matched = "/"
		}
		if got := envoyRewrite(matched, prefix, re, subst, c.path); got != c.want {
			t.Errorf("path %q prefix %q replace %q: got %q, want %q", c.path, c.prefix, c.replace, got, c.want)
		}
	}
}

func TestCheckFindsInconsistency(t *testing.T) {
	x := readIR(t, "testdata/dns-clusters.in.yaml")
	for name, breakIt := range map[string]func(r *Resources){
		"missing cluster":      func(r *Resources) { r.Clusters = r.Clusters[1:] },
		"missing route config": func(r *Resources) { r.Routes = nil },
		"extra assignment": func(r *Resources) {
			r.Endpoints = append(r.Endpoints, &endpointv3.ClusterLoadAssignment{ClusterName: "stray"})
		},
		"missing assignment": func(r *Resources) { r.Endpoints = nil },
		"duplicate cluster":  func(r *Resources) { r.Clusters = append(r.Clusters, r.Clusters[0]) },
	} {
		for _, v := range []variant{envoyVariant, grpcVariant} {
			rs, err := Translate(x)
			if err != nil {
				t.Fatal(err)
			}
			r := &rs.Envoy
			if v == grpcVariant {
				r = &rs.GRPC
			}
			if err := r.Check(); err != nil {
				t.Fatalf("%s: untouched set fails Check: %v", v, err)
			}
			breakIt(r)
			if err := r.Check(); err == nil {
				t.Errorf("%s %s: Check passed", v, name)
			}
		}
	}
}

func TestGRPCDNSSplitKeepsShares(t *testing.T) {
	// Backend a has 3 hostnames, b has 2, c is one IP; weights 1:2:3.
	x := &ir.Xds{
		Fleet: "f",
		Listeners: []*ir.Listener{{Name: "l", Address: "0.0.0.0", Port: 80, Protocol: ir.ProtocolHTTP,
			VirtualHosts: []*ir.VirtualHost{{Name: "v", Hostname: "*", Routes: []*ir.Route{{
				Name:  "r",
				Match: ir.Match{PathType: ir.PathPrefix, Path: "/"},
				Action: ir.Action{Forward: &ir.Forward{Backends: []ir.WeightedCluster{
					{Cluster: "a", Weight: 1}, {Cluster: "b", Weight: 2}, {Cluster: "c", Weight: 3},
				}}},
			}}}}}},
		Clusters: []*ir.Cluster{
			{Name: "a", Endpoints: []ir.Endpoint{{Host: "a1.x", Port: 1}, {Host: "a2.x", Port: 1}, {Host: "a3.x", Port: 1}}},
			{Name: "b", Endpoints: []ir.Endpoint{{Host: "b1.x", Port: 1}, {Host: "b2.x", Port: 1}}},
			{Name: "c", Endpoints: []ir.Endpoint{{Host: "10.0.0.1", Port: 1}}},
		},
	}
	rs, err := Translate(x)
	if err != nil {
		t.Fatal(err)
	}
	share := map[string]uint32{}
	var total uint32
	for _, wc := range rs.GRPC.Routes[0].VirtualHosts[0].Routes[0].GetRoute().GetWeightedClusters().GetClusters() {
		backend, _, _ := strings.Cut(wc.GetName(), "#")
		share[backend] += wc.GetWeight().GetValue()
		total += wc.GetWeight().GetValue()
	}
	// Shares must be 1/6, 2/6, 3/6 of the total.
	for b, w := range map[string]uint32{"a": 1, "b": 2, "c": 3} {
		if share[b]*6 != w*total {
			t.Errorf("backend %s gets %d of %d, want %d/6", b, share[b], total, w)
		}
	}
	if n := len(rs.GRPC.Clusters); n != 6 {
		t.Errorf("gRPC has %d clusters, want 3+2+1", n)
	}
}
