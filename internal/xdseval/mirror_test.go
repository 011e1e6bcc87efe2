package xdseval

import (
	"math/rand/v2"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
)

func TestMirrors(t *testing.T) {
	r := toCluster("m", "a", prefix("/"))
	r.RequestHeadersToAdd = []*corev3.HeaderValueOption{{Header: &corev3.HeaderValue{Key: "X-Added", Value: "1"}}}
	r.GetRoute().RequestMirrorPolicies = []*routev3.RouteAction_RequestMirrorPolicy{
		{Cluster: "b"},
		{Cluster: "b", RuntimeFraction: &corev3.RuntimeFractionalPercent{DefaultValue: &typev3.FractionalPercent{
			Numerator: 2500, Denominator: typev3.FractionalPercent_TEN_THOUSAND}}},
		{Cluster: "missing"},
	}
	p := fixture(t, &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"}, r)}}, nil)
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 4000
	sampled := 0
	for range n {
		b := &recorder{}
		if _, err := p.Serve(get("shop.com", "/x?q"), rng, b.serve); err != nil {
			t.Fatal(err)
		}
		ms := b.last.Mirrors
		if len(ms) < 1 || len(ms) > 2 {
			t.Fatalf("%d mirrors, want the unconditional one and maybe the sampled one", len(ms))
		}
		m := ms[0]
		if m.Cluster != "b" || m.Endpoint != "10.0.0.2:8080" || m.Authority != "shop.com-shadow" || m.Path != "/x?q" || m.Headers.Get("X-Added") != "1" {
			t.Fatalf("mirror %+v", m)
		}
		sampled += len(ms) - 1
	}
	if share := float64(sampled) / n; share < 0.22 || share > 0.28 {
		t.Errorf("sampled mirror share %.3f, want 0.25±0.03", share)
	}
	if got := shadowHost("shop.com:8080"); got != "shop.com-shadow:8080" {
		t.Errorf("shadowHost = %q", got)
	}
}
