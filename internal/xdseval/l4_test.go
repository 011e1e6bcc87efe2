package xdseval

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// goldenProxy is the proxy a translator golden input is served as.
func goldenProxy(t *testing.T, in string) (*Proxy, []*listenerv3.Listener) {
	t.Helper()
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	x := &ir.Xds{}
	if err := yaml.UnmarshalStrict(data, x); err != nil {
		t.Fatalf("%s: %v", in, err)
	}
	rs, err := translator.Translate(x)
	if err != nil {
		t.Fatalf("%s: %v", in, err)
	}
	e := rs.Envoy
	p, err := New(Config{Listeners: e.Listeners, Routes: e.Routes, Clusters: e.Clusters, Endpoints: e.Endpoints, Secrets: e.Secrets})
	if err != nil {
		t.Fatalf("%s: %v", in, err)
	}
	return p, e.Listeners
}

const goldenDir = "../../controlplane/xds/translator/testdata/"

func TestConnectTCPAndUDP(t *testing.T) {
	p, _ := goldenProxy(t, goldenDir+"tcp-udp-listeners.in.yaml")
	f, err := p.Connect(Conn{Port: 5432})
	if err != nil {
		t.Fatal(err)
	}
	want := []Share{{"db", 9, []string{"10.0.0.2:5432"}}, {"db2", 1, []string{"10.0.0.3:5432"}}}
	if !reflect.DeepEqual(f.Split, want) || f.Total != 10 || f.Certificates != nil {
		t.Errorf("TCP 5432: %+v, want split %+v of 10", f, want)
	}
	// TLS bytes on a plain TCP port pass through to the same split.
	if f, err := p.Connect(Conn{Port: 5432, TLS: &ClientTLS{ServerName: "db.example.com"}}); err != nil || !reflect.DeepEqual(f.Split, want) {
		t.Errorf("TLS on TCP 5432: %+v, %v", f, err)
	}
	u, err := p.Connect(Conn{Port: 53, UDP: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Share{{"dns", 1, []string{"10.0.0.53:53"}}}; !reflect.DeepEqual(u.Split, want) || u.Total != 1 {
		t.Errorf("UDP 53: %+v, want %+v", u, want)
	}
	for _, c := range []Conn{{Port: 6000}, {Port: 53}, {Port: 5432, UDP: true}, {Port: 7}} {
		var ce *ConnError
		if _, err := p.Connect(c); !errors.As(err, &ce) {
			t.Errorf("%+v: got %v, want a refused connection", c, err)
		}
	}
}

func TestConnectUDPWeightedMatcher(t *testing.T) {
	p, _ := goldenProxy(t, goldenDir+"udp-weighted-backends.in.yaml")
	f, err := p.Connect(Conn{Port: 53, UDP: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint32{}
	for _, s := range f.Split {
		got[s.Cluster] = s.Weight
	}
	if want := map[string]uint32{"dns-a": 80, "dns-b": 15, "dns-c": 5}; !reflect.DeepEqual(got, want) || f.Total != 100 {
		t.Errorf("sessions split %v of %d, want %v of 100", got, f.Total, want)
	}
}

func TestConnectTLSChains(t *testing.T) {
	p, _ := goldenProxy(t, goldenDir+"tls-listener-sni-chains.in.yaml")
	pass, err := p.Connect(Conn{Port: 443, TLS: &ClientTLS{ServerName: "db.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if pass.Chain != "https-443/db.example.com" || pass.Certificates != nil || len(pass.Split) != 1 || pass.Split[0].Cluster != "db" {
		t.Errorf("passthrough: %+v", pass)
	}
	term, err := p.Connect(Conn{Port: 443, TLS: &ClientTLS{ServerName: "x.mq.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if term.Chain != "https-443/mq.example.com" || len(term.Certificates) != 1 || term.Certificates[0].GetName() != "secret/default/ec" {
		t.Errorf("terminated: chain %q, %d certificates", term.Chain, len(term.Certificates))
	}
	if term.Total != 4 || len(term.Split) != 2 || term.Split[1].Cluster != "web" || term.Split[1].Weight != 1 {
		t.Errorf("terminated split: %+v of %d", term.Split, term.Total)
	}
	// The catch-all chain speaks HTTP: Serve's, not Connect's.
	if _, err := p.Connect(Conn{Port: 443, TLS: &ClientTLS{ServerName: "other.example.com"}}); !IsUnsupported(err) {
		t.Errorf("HTTPS chain: got %v, want unsupported", err)
	}
	var ce *ConnError
	if _, err := p.Connect(Conn{Port: 443, TLS: &ClientTLS{ServerName: "mq.example.com"}}); err != nil {
		t.Errorf("mq.example.com: %v", err)
	}
	if _, err := p.Connect(Conn{Port: 443}); !errors.As(err, &ce) {
		t.Errorf("plain bytes on a TLS port: %v", err)
	}
}

// TestEveryL4ListenerIsEvaluated connects to every TCP proxy chain and UDP
// listener the translator's golden inputs produce, so that an L4
// construct xdseval does not model fails here.
func TestEveryL4ListenerIsEvaluated(t *testing.T) {
	ins, err := filepath.Glob(goldenDir + "*.in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range ins {
		if filepath.Base(in)[:6] == "error-" {
			continue
		}
		p, ls := goldenProxy(t, in)
		for _, l := range ls {
			sa := l.GetAddress().GetSocketAddress()
			if sa.GetProtocol() == corev3.SocketAddress_UDP {
				n++
				if _, err := p.Connect(Conn{Port: sa.GetPortValue(), UDP: true}); err != nil {
					t.Errorf("%s %s: %v", in, l.GetName(), err)
				}
				continue
			}
			for _, fc := range l.GetFilterChains() {
				if _, err := tcpProxy(fc); err != nil {
					continue // HTTP chains: TestEveryTranslatorConstructIsEvaluated
				}
				n++
				c := Conn{Port: sa.GetPortValue()}
				if names := fc.GetFilterChainMatch().GetServerNames(); len(names) > 0 {
					c.TLS = &ClientTLS{ServerName: concreteHost(names[0])}
				}
				f, err := p.Connect(c)
				if err != nil {
					t.Errorf("%s %s chain %q: %v", in, l.GetName(), fc.GetName(), err)
				} else if f.Chain != fc.GetName() {
					t.Errorf("%s %s: %+v took chain %q, want %q", in, l.GetName(), c, f.Chain, fc.GetName())
				}
			}
		}
	}
	if n < 4 {
		t.Errorf("only %d L4 listeners or chains in the golden inputs", n)
	}
}
