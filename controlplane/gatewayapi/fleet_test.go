package gatewayapi

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

const fleetInput = `
apiVersion: envoygateway.dev/v1alpha1
kind: EnvoyFleet
metadata: {name: edge}
spec:
  module: {source: ./modules/local}
  replicas: 3
  envoyVersion: "1.36.2"
  variables: {command: probe}
  backend: {type: s3, config: {bucket: b}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: envoygateway.dev, kind: EnvoyFleet, name: edge}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: bare}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: b, namespace: ns2}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, port: 8080, protocol: HTTP}
  - {name: other, port: 80, protocol: HTTP, hostname: a.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: a, namespace: ns1}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, port: 8080, protocol: HTTP, hostname: b.example.com}
`

func decodeString(t *testing.T, s string) *resource.Resources {
	t.Helper()
	res, _, errs := resource.Decode([]byte(s), "in.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return res
}

func TestInfraIR(t *testing.T) {
	r := Translate(decodeString(t, fleetInput), Options{Now: fixedNow})
	got := r.Infra["eg"]
	want := &ir.Infra{
		Fleet:    "eg",
		Ports:    []uint32{80, 8080},
		Gateways: []string{"ns1/a", "ns2/b"},
		Params: &ir.InfraParams{
			EnvoyFleet: "edge", ModuleSource: "./modules/local", Replicas: 3, EnvoyVersion: "1.36.2",
			Backend: &ir.InfraBackend{Type: "s3", Config: map[string]string{"bucket": "b"}},
		},
	}
	if got == nil || string(got.Params.Variables["command"]) != `"probe"` {
		t.Fatalf("infra %+v", got)
	}
	got.Params.Variables = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("infra\n got %+v %+v\nwant %+v %+v", got, got.Params, want, want.Params)
	}
	if b := r.Infra["bare"]; b == nil || b.Params != nil || len(b.Ports) != 0 {
		t.Errorf("class without parametersRef: %+v", b)
	}
}

func TestRequireParametersRef(t *testing.T) {
	r := Translate(decodeString(t, fleetInput), Options{Now: fixedNow, RequireParametersRef: true})
	if _, ok := r.IR["bare"]; ok {
		t.Error("class without parametersRef translated")
	}
	for _, c := range r.GatewayClasses {
		acc := findCondition(c.Status.Conditions, "Accepted")
		switch c.Name {
		case "bare":
			if acc.Status != metav1.ConditionFalse || acc.Reason != "InvalidParameters" || !strings.Contains(acc.Message, "spec.parametersRef") {
				t.Errorf("bare: %+v", acc)
			}
		case "eg":
			if acc.Status != metav1.ConditionTrue {
				t.Errorf("eg: %+v", acc)
			}
		}
	}
}

func programmedOf(t *testing.T, r *Result, name string) *metav1.Condition {
	t.Helper()
	for _, g := range r.Gateways {
		if g.Name == name {
			return findCondition(g.Status.Conditions, "Programmed")
		}
	}
	t.Fatalf("no gateway %s", name)
	return nil
}

func TestMergeFleetStatus(t *testing.T) {
	res := Translate(decodeString(t, fleetInput), Options{Now: fixedNow})
	t0 := fixedNow().Add(time.Hour)
	cases := []struct {
		name      string
		st        *ir.FleetState
		connected int
		status    metav1.ConditionStatus
		reason    string
		msg       string
	}{
		{"no state yet", nil, 0, metav1.ConditionFalse, "Pending", "waiting for the provisioner"},
		{"applying", &ir.FleetState{Phase: ir.FleetApplying}, 0, metav1.ConditionFalse, "Pending", "applying"},
		{"failed", &ir.FleetState{Phase: ir.FleetFailed, Error: "local-exec provisioner error", Attempts: 2, Addresses: []string{"10.0.0.1"}},
			0, metav1.ConditionFalse, "NoResources", "local-exec provisioner error"},
		{"applied, nobody connected", &ir.FleetState{Phase: ir.FleetReady, Applied: true, Addresses: []string{"10.0.0.1"}},
			0, metav1.ConditionFalse, "Pending", "no proxy is connected"},
		{"applied and connected", &ir.FleetState{Phase: ir.FleetReady, Applied: true, Addresses: []string{"10.0.0.1", "lb.example.com"}},
			2, metav1.ConditionTrue, "Programmed", "2 proxies connected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fleets := map[string]*ir.FleetState{}
			if tc.st != nil {
				fleets["eg"] = tc.st
			}
			m := MergeFleetStatus(res, nil, fleets, map[string]int{"eg": tc.connected}, t0)
			c := programmedOf(t, m, "a")
			if c.Status != tc.status || c.Reason != tc.reason || !strings.Contains(c.Message, tc.msg) {
				t.Errorf("Programmed = %s %s %q", c.Status, c.Reason, c.Message)
			}
			var g *gwapiv1.Gateway
			for _, x := range m.Gateways {
				if x.Name == "b" {
					g = x
				}
			}
			if tc.st != nil && len(g.Status.Addresses) != len(tc.st.Addresses) {
				t.Errorf("addresses %+v", g.Status.Addresses)
			}
			if c := programmedOf(t, res, "a"); c.Status != metav1.ConditionTrue {
				t.Error("MergeFleetStatus modified its input")
			}
		})
	}
	m := MergeFleetStatus(res, nil, map[string]*ir.FleetState{"eg": {Applied: true, Phase: ir.FleetReady, Addresses: []string{"10.0.0.1", "lb.example.com"}}},
		map[string]int{"eg": 1}, t0)
	addrs := m.Gateways[0].Status.Addresses
	if *addrs[0].Type != gwapiv1.IPAddressType || *addrs[1].Type != gwapiv1.HostnameAddressType {
		t.Errorf("address types %v %v", *addrs[0].Type, *addrs[1].Type)
	}
	// The status stays True: its transition time stays that of the input.
	if c := programmedOf(t, m, "a"); !c.LastTransitionTime.Time.Equal(fixedNow()) {
		t.Errorf("unchanged True moved its transition time to %v", c.LastTransitionTime)
	}
	// A change to False moves it; a later merge with the same status keeps it.
	down := MergeFleetStatus(res, m, nil, nil, t0)
	if c := programmedOf(t, down, "a"); !c.LastTransitionTime.Time.Equal(t0) {
		t.Errorf("transition time %v, want %v", c.LastTransitionTime, t0)
	}
	again := MergeFleetStatus(res, down, nil, nil, t0.Add(time.Minute))
	if c := programmedOf(t, again, "a"); !c.LastTransitionTime.Time.Equal(t0) {
		t.Errorf("transition time moved without a change: %v", c.LastTransitionTime)
	}
}

func TestFleetStatusMergerAndInfraRunners(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := message.NewTopic[*Result]("in")
	out := message.NewTopic[*Result]("out")
	fleets := message.NewMap[string, *ir.FleetState]("fleets")
	conn := message.NewMap[string, int]("connected")
	infra := message.NewMap[string, *ir.Infra]("infra")
	m := &FleetStatusMerger{In: in, Fleets: fleets, Connected: conn, Out: out}
	go m.Run(ctx)
	go PublishInfra(ctx, in, infra)

	sub := out.Subscribe(ctx)
	infraSub := infra.Subscribe(ctx)
	in.Publish(Translate(decodeString(t, fleetInput), Options{}))
	waitProgrammed(t, sub, metav1.ConditionFalse)
	fleets.Store("eg", &ir.FleetState{Phase: ir.FleetReady, Applied: true, Addresses: []string{"127.0.0.1"}})
	conn.Store("eg", 1)
	waitProgrammed(t, sub, metav1.ConditionTrue)
	conn.Store("eg", 0)
	waitProgrammed(t, sub, metav1.ConditionFalse)

	// The class goes: infra deletes its fleet.
	deadline := time.After(10 * time.Second)
	for seen := false; !seen; {
		select {
		case u := <-infraSub:
			_, seen = u.State["eg"]
		case <-deadline:
			t.Fatal("fleet eg never stored in infra")
		}
	}
	seen := false
	in.Publish(Translate(decodeString(t, strings.Split(fleetInput, "---")[0]), Options{}))
	for !seen {
		select {
		case u := <-infraSub:
			_, changed := u.Changed["eg"]
			if _, still := u.State["eg"]; !still && changed {
				seen = true
			}
		case <-deadline:
			t.Fatal("fleet eg never deleted from infra")
		}
	}
}

func waitProgrammed(t *testing.T, sub <-chan message.Update[*Result], want metav1.ConditionStatus) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case u := <-sub:
			if c := programmedOf(t, u.Value, "a"); c.Status == want {
				return
			}
		case <-deadline:
			t.Fatalf("Programmed never became %s", want)
		}
	}
}

// TestMergeFleetStatusEmptyAddressValue (GatewayAddressEmpty): an address
// asked for without a value is filled in from the fleet's addresses of its
// type, after the static ones; a type the fleet has no address of makes
// the Gateway not programmed (AddressNotAssigned).
func TestMergeFleetStatusEmptyAddressValue(t *testing.T) {
	const input = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: any-ip, namespace: default}
spec:
  gatewayClassName: eg
  addresses: [{type: IPAddress}]
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: static-and-hostname, namespace: default}
spec:
  gatewayClassName: eg
  addresses: [{type: IPAddress, value: 192.0.2.7}, {type: Hostname}]
  listeners: [{name: http, port: 81, protocol: HTTP}]
`
	res := Translate(decodeString(t, input), Options{Now: fixedNow})
	for _, g := range res.Gateways {
		if c := findCondition(g.Status.Conditions, "Accepted"); c == nil || c.Status != metav1.ConditionTrue {
			t.Fatalf("%s: an address without a value is not refused: %+v", g.Name, c)
		}
	}
	values := func(r *Result, name string) (out []string) {
		for _, g := range r.Gateways {
			if g.Name == name {
				for _, a := range g.Status.Addresses {
					out = append(out, string(*a.Type)+"="+a.Value)
				}
			}
		}
		return out
	}
	st := &ir.FleetState{Phase: ir.FleetReady, Applied: true, Addresses: []string{"10.0.0.1", "lb.example.com", "10.0.0.2"}}
	m := MergeFleetStatus(res, nil, map[string]*ir.FleetState{"eg": st}, map[string]int{"eg": 1}, fixedNow())
	if got, want := values(m, "any-ip"), []string{"IPAddress=10.0.0.1", "IPAddress=10.0.0.2"}; !slices.Equal(got, want) {
		t.Errorf("any-ip: addresses %v, want %v", got, want)
	}
	if got, want := values(m, "static-and-hostname"), []string{"IPAddress=192.0.2.7", "Hostname=lb.example.com"}; !slices.Equal(got, want) {
		t.Errorf("static-and-hostname: addresses %v, want %v", got, want)
	}
	for _, name := range []string{"any-ip", "static-and-hostname"} {
		if c := programmedOf(t, m, name); c.Status != metav1.ConditionTrue {
			t.Errorf("%s: Programmed %s %s", name, c.Status, c.Reason)
		}
	}
	ipsOnly := &ir.FleetState{Phase: ir.FleetReady, Applied: true, Addresses: []string{"10.0.0.1"}}
	m = MergeFleetStatus(res, nil, map[string]*ir.FleetState{"eg": ipsOnly}, map[string]int{"eg": 1}, fixedNow())
	c := programmedOf(t, m, "static-and-hostname")
	if c.Status != metav1.ConditionFalse || c.Reason != string(gwapiv1.GatewayReasonAddressNotAssigned) || !strings.Contains(c.Message, "spec.addresses[1]") {
		t.Errorf("no Hostname to assign: Programmed %s %s %q", c.Status, c.Reason, c.Message)
	}
}
