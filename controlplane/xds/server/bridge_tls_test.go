package server

import (
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// clientCertIR routes to a TLS backend, through a cluster that presents a
// Gateway's client certificate (fetched over SDS) when withCert is set.
func clientCertIR(t *testing.T, withCert bool) *translator.Resources {
	t.Helper()
	cl := &ir.Cluster{Name: "service/default/secure/443/tls", Endpoints: []ir.Endpoint{{Host: "10.0.0.1", Port: 443}},
		TLS: &ir.UpstreamTLS{SNI: "abc.example.com", SystemCA: true, SubjectAltNames: []ir.SubjectAltName{{Hostname: "abc.example.com"}}}}
	x := &ir.Xds{Fleet: "eg"}
	if withCert {
		v, tls := *cl, *cl.TLS
		tls.ClientCertificate = "secret/default/client"
		v.Name, v.TLS = cl.Name+"/client/secret/default/client", &tls
		cl = &v
		x.Secrets = []*ir.Secret{{Name: "secret/default/client", Certificate: []byte("cert"), PrivateKey: []byte("key")}}
	}
	x.Clusters = []*ir.Cluster{cl}
	x.Listeners = []*ir.Listener{{Name: "http-80", Address: "0.0.0.0", Port: 80, Protocol: ir.ProtocolHTTP,
		VirtualHosts: []*ir.VirtualHost{{Name: "http-80/*", Hostname: "*", Routes: []*ir.Route{{
			Name: "r", Match: ir.Match{PathType: ir.PathPrefix, Path: "/"},
			Action: ir.Action{Forward: &ir.Forward{Backends: []ir.WeightedCluster{{Cluster: cl.Name, Weight: 1}}}},
		}}}}}}
	rs, err := translator.Translate(x)
	if err != nil {
		t.Fatal(err)
	}
	return &rs.Envoy
}

// A Gateway that starts (or stops) presenting a client certificate to a
// TLS backend swaps the route's cluster for one that fetches (or no longer
// fetches) a secret: every make-before-break phase must carry exactly the
// secrets its clusters fetch, or publishing it fails.
func TestPhasesCarryClientCertificates(t *testing.T) {
	without, with := clientCertIR(t, false), clientCertIR(t, true)
	for _, tc := range []struct {
		name       string
		prev, next *translator.Resources
	}{{"gain a client certificate", without, with}, {"lose it", with, without}} {
		t.Run(tc.name, func(t *testing.T) {
			phases := plan(tc.prev, tc.next)
			if len(phases) != 3 {
				t.Fatalf("%d phases, want add, switch, drop", len(phases))
			}
			for i, p := range phases {
				if err := p.res.Check(); err != nil {
					t.Errorf("phase %d: %v", i+1, err)
				}
			}
			if n := len(phases[0].res.Secrets) + len(phases[1].res.Secrets); n != 2 {
				t.Errorf("the phases holding both clusters carry %d secrets, want the client certificate in each", n)
			}
		})
	}
}
