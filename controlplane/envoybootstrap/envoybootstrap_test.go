package envoybootstrap

import (
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"
)

func TestRenderEmbeddedJoinsFleet(t *testing.T) {
	p, err := ParamsFor("prod-web", "0.0.0.0:18000")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render("", p)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(out)
	if err != nil {
		t.Fatal(err)
	}
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(js, &b); err != nil {
		t.Fatal(err)
	}
	if got := b.GetNode().GetCluster(); got != "prod-web" {
		t.Errorf("node.cluster = %q", got)
	}
	if b.GetDynamicResources().GetAdsConfig().GetGrpcServices()[0].GetEnvoyGrpc().GetClusterName() != "xds_cluster" {
		t.Error("ADS does not use xds_cluster")
	}
	sa := b.GetStaticResources().GetClusters()[0].GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress().GetSocketAddress()
	if sa.GetAddress() != "127.0.0.1" || sa.GetPortValue() != 18000 {
		t.Errorf("xds endpoint %s:%d, want the wildcard replaced by 127.0.0.1:18000", sa.GetAddress(), sa.GetPortValue())
	}
}

func TestRenderRefusesBrokenTemplates(t *testing.T) {
	p, _ := ParamsFor("f", "10.0.0.5:18000")
	for name, tmpl := range map[string]string{
		"unknown field":   "node: {cluster: {{ .Nope }}}",
		"not a bootstrap": "node: {cluster: f}\nbogus_field: 1",
		"no cluster":      "node: {id: x}",
		"invalid proto":   "node: {cluster: f}\nadmin: {address: {socket_address: {address: x, port_value: 99999999}}}",
		"bad yaml":        "node: [",
	} {
		if _, err := Render(tmpl, p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Render("", Params{}); err == nil || !strings.Contains(err.Error(), "fleet") {
		t.Errorf("empty fleet: %v", err)
	}
}

func TestParamsForBadAddress(t *testing.T) {
	for _, a := range []string{"nohost", "h:notaport", "h:70000"} {
		if _, err := ParamsFor("f", a); err == nil {
			t.Errorf("%q accepted", a)
		}
	}
}
