package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

// The RPCs a `terraform plan` of an unchanged HTTPRoute makes, one by
// one, as Terraform sends them (tools/tfbench measures the whole CLI run).
// Run with -cpu=1: CPU time per op is what matters on a shared machine.

const benchRouteSpec = `
parentRefs: [{name: bench}]
hostnames: [r1.example.com]
rules:
- matches: [{path: {type: PathPrefix, value: /r1}, headers: [{name: x-tenant, value: t1}]}]
  backendRefs: [{group: envoygateway.dev, kind: Backend, name: bench, weight: 3}]
`

// routeRPCs is a configured provider server, and an HTTPRoute's config
// and state as Terraform holds them after an apply.
type routeRPCs struct {
	srv                 tfprotov6.ProviderServer
	typ                 tftypes.Type
	config, state       *tfprotov6.DynamicValue
	configVal, stateVal tftypes.Value
	endpoint, token     string
}

func newRouteRPCs(tb testing.TB) *routeRPCs {
	tb.Helper()
	ctx := context.Background()
	s := apiclienttest.Start(tb, apiclienttest.Options{Translator: true})
	srv, err := NewServer("bench")()
	if err != nil {
		tb.Fatal(err)
	}
	sch, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(sch.Diagnostics) > 0 {
		tb.Fatal(err, sch.Diagnostics)
	}
	pt := sch.Provider.ValueType()
	pcfg := mustDV(tb, pt, tftypes.NewValue(pt, map[string]tftypes.Value{
		"endpoint": tftypes.NewValue(tftypes.String, s.Endpoint), "token": tftypes.NewValue(tftypes.String, s.Token),
		"ca_cert": tftypes.NewValue(tftypes.String, nil), "insecure": tftypes.NewValue(tftypes.Bool, nil),
	}))
	if resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: pcfg}); err != nil || len(resp.Diagnostics) > 0 {
		tb.Fatal(err, resp.Diagnostics)
	}
	r := &routeRPCs{srv: srv, typ: sch.ResourceSchemas["envoygateway_http_route"].ValueType(), endpoint: s.Endpoint, token: s.Token}
	putRoute(tb, s)

	m := loadKind("http_route", "HTTPRoute", "")
	var spec map[string]any
	if err := yaml.Unmarshal([]byte(benchRouteSpec), &spec); err != nil {
		tb.Fatal(err)
	}
	attrs := r.typ.(tftypes.Object).AttributeTypes
	metaV, err := m.meta.FromJSON(map[string]any{"name": "r1"})
	if err != nil {
		tb.Fatal(err)
	}
	specV, err := m.spec.FromJSON(spec)
	if err != nil {
		tb.Fatal(err)
	}
	r.configVal = tftypes.NewValue(r.typ, map[string]tftypes.Value{
		"id": tftypes.NewValue(attrs["id"], nil), "metadata": metaV, "spec": specV,
		"status": tftypes.NewValue(attrs["status"], nil), "timeouts": tftypes.NewValue(attrs["timeouts"], nil),
		"wait_for": tftypes.NewValue(attrs["wait_for"], nil),
	})
	r.config = mustDV(tb, r.typ, r.configVal)

	imp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: "envoygateway_http_route", ID: "default/r1"})
	if err != nil || len(imp.Diagnostics) > 0 {
		tb.Fatal(err, imp.Diagnostics)
	}
	read, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "envoygateway_http_route", CurrentState: imp.ImportedResources[0].State})
	if err != nil || len(read.Diagnostics) > 0 {
		tb.Fatal(err, read.Diagnostics)
	}
	r.state = read.NewState
	if r.stateVal, err = read.NewState.Unmarshal(r.typ); err != nil {
		tb.Fatal(err)
	}
	return r
}

func putRoute(tb testing.TB, s *apiclienttest.Server) {
	tb.Helper()
	c, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, Token: s.Token})
	if err != nil {
		tb.Fatal(err)
	}
	for _, y := range []string{
		`{apiVersion: gateway.networking.k8s.io/v1, kind: GatewayClass, metadata: {name: bench}, spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}}`,
		`{apiVersion: gateway.networking.k8s.io/v1, kind: Gateway, metadata: {name: bench, namespace: default}, spec: {gatewayClassName: bench, listeners: [{name: http, protocol: HTTP, port: 8080}]}}`,
		`{apiVersion: envoygateway.dev/v1alpha1, kind: Backend, metadata: {name: bench, namespace: default}, spec: {endpoints: [{address: "127.0.0.1:9"}]}}`,
		"{apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, metadata: {name: r1, namespace: default}, spec: " + jsonOf(tb, benchRouteSpec) + "}",
	} {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(y), &obj.Object); err != nil {
			tb.Fatal(err)
		}
		if _, err := c.Put(context.Background(), obj, apiclient.WriteOptions{}); err != nil {
			tb.Fatal(err)
		}
	}
}

func jsonOf(tb testing.TB, y string) string {
	j, err := yaml.YAMLToJSON([]byte(y))
	if err != nil {
		tb.Fatal(err)
	}
	return string(j)
}

func mustDV(tb testing.TB, t tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	dv, err := tfprotov6.NewDynamicValue(t, v)
	if err != nil {
		tb.Fatal(err)
	}
	return &dv
}

func (r *routeRPCs) plan(tb testing.TB) *tfprotov6.PlanResourceChangeResponse {
	resp, err := r.srv.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "envoygateway_http_route", PriorState: r.state, ProposedNewState: r.state, Config: r.config,
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		tb.Fatal(err, resp.Diagnostics)
	}
	return resp
}

func BenchmarkPlanUnchangedRoute(b *testing.B) {
	r := newRouteRPCs(b)
	for b.Loop() {
		r.plan(b)
	}
}

func BenchmarkReadRoute(b *testing.B) {
	r := newRouteRPCs(b)
	ctx := context.Background()
	for b.Loop() {
		resp, err := r.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "envoygateway_http_route", CurrentState: r.state})
		if err != nil || len(resp.Diagnostics) > 0 {
			b.Fatal(err, resp.Diagnostics)
		}
	}
}

func BenchmarkValidateRoute(b *testing.B) {
	r := newRouteRPCs(b)
	ctx := context.Background()
	for b.Loop() {
		resp, err := r.srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "envoygateway_http_route", Config: r.config})
		if err != nil || len(resp.Diagnostics) > 0 {
			b.Fatal(err, resp.Diagnostics)
		}
	}
}
