package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

func attrPath(steps ...any) *tftypes.AttributePath {
	p := tftypes.NewAttributePath()
	for _, s := range steps {
		switch s := s.(type) {
		case string:
			p = p.WithAttributeName(s)
		case int:
			p = p.WithElementKeyInt(s)
		}
	}
	return p
}

// with is v with the value at p replaced by nv.
func with(t *testing.T, v tftypes.Value, p *tftypes.AttributePath, nv tftypes.Value) tftypes.Value {
	t.Helper()
	found := false
	out, err := tftypes.Transform(v, func(at *tftypes.AttributePath, cur tftypes.Value) (tftypes.Value, error) {
		if at.Equal(p) {
			found = true
			return nv, nil
		}
		return cur, nil
	})
	if err != nil || !found {
		t.Fatalf("with %s: found %v, %v", p, found, err)
	}
	return out
}

var (
	weightPath    = attrPath("spec", "rules", 0, "backend_refs", 0, "weight")
	kindPath      = attrPath("spec", "parent_refs", 0, "kind")
	namespacePath = attrPath("metadata", "namespace")
	prefixPath    = attrPath("spec", "rules", 0, "matches", 0, "path", "value")
)

// The plan shortcut answers exactly what the framework answers, and only
// when nothing changes: every configuration that leaves out an attribute
// whose default differs from the state, or changes anything, goes to the
// framework.
func TestPlanShortcutIsTheFrameworksAnswer(t *testing.T) {
	r := newRouteRPCs(t)
	s := r.srv.(*server)
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	nullStr, nullNum := tftypes.NewValue(tftypes.String, nil), tftypes.NewValue(tftypes.Number, nil)
	programmed := with(t, r.stateVal, attrPath("wait_for"), str("Programmed"))
	elsewhere := with(t, with(t, r.stateVal, namespacePath, str("apps")), attrPath("id"), str("apps/r1"))
	cases := []struct {
		name                    string
		config, state, proposed tftypes.Value
		shortcut                bool
	}{
		{"unchanged", r.configVal, r.stateVal, r.stateVal, true},
		{"a default written out", with(t, r.configVal, kindPath, str("Gateway")), r.stateVal, r.stateVal, true},
		{"wait_for written out", with(t, r.configVal, attrPath("wait_for"), str("Programmed")), programmed, programmed, true},
		// Terraform proposes the state's value for an Optional+Computed
		// attribute the config leaves out; the framework plans its default.
		{"non-default weight left out", with(t, r.configVal, weightPath, nullNum), r.stateVal, r.stateVal, false},
		{"wait_for left out", r.configVal, programmed, programmed, false},
		{"namespace left out", r.configVal, elsewhere, elsewhere, false},
		{"stale id", r.configVal, with(t, r.stateVal, attrPath("id"), str("default/old")), with(t, r.stateVal, attrPath("id"), str("default/old")), false},
		{"path changed", with(t, r.configVal, prefixPath, str("/other")), r.stateVal, with(t, r.stateVal, prefixPath, str("/other")), false},
		{"kind left out of a changed config", with(t, with(t, r.configVal, kindPath, nullStr), prefixPath, str("/x")), r.stateVal, with(t, r.stateVal, prefixPath, str("/x")), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := &tfprotov6.PlanResourceChangeRequest{
				TypeName: "envoygateway_http_route", Config: mustDV(t, r.typ, c.config),
				PriorState: mustDV(t, r.typ, c.state), ProposedNewState: mustDV(t, r.typ, c.proposed),
			}
			if got := s.kinds[req.TypeName].unchanged(req); got != c.shortcut {
				t.Fatalf("shortcut taken: %v, want %v", got, c.shortcut)
			}
			got, err := s.PlanResourceChange(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.ProviderServer.PlanResourceChange(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Diagnostics)+len(want.Diagnostics) > 0 {
				t.Fatalf("diagnostics: %v / framework %v", got.Diagnostics, want.Diagnostics)
			}
			gv, wv := unmarshal(t, r.typ, got.PlannedState), unmarshal(t, r.typ, want.PlannedState)
			if !gv.Equal(wv) || len(got.RequiresReplace) != len(want.RequiresReplace) {
				t.Fatalf("planned %v (replace %v)\nframework planned %v (replace %v)", gv, got.RequiresReplace, wv, want.RequiresReplace)
			}
			// A case the shortcut leaves alone must be one the framework
			// plans a change for, or the case tests nothing.
			if unchanged := wv.Equal(c.state); unchanged != c.shortcut {
				t.Fatalf("the framework plans a change: %v; the case expects one: %v", !unchanged, !c.shortcut)
			}
		})
	}
}

func unmarshal(t *testing.T, typ tftypes.Type, dv *tfprotov6.DynamicValue) tftypes.Value {
	t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The direct ReadResource refreshes as the framework's does, including an
// object deleted out of band.
func TestReadShortcutIsTheFrameworksAnswer(t *testing.T) {
	r := newRouteRPCs(t)
	s := r.srv.(*server)
	ctx := context.Background()
	stale := with(t, r.stateVal, prefixPath, tftypes.NewValue(tftypes.String, "/stale"))
	read := func() (got, want tftypes.Value) {
		t.Helper()
		req := &tfprotov6.ReadResourceRequest{TypeName: "envoygateway_http_route", CurrentState: mustDV(t, r.typ, stale)}
		g, err := s.ReadResource(ctx, req)
		if err != nil || len(g.Diagnostics) > 0 {
			t.Fatal(err, g.Diagnostics)
		}
		w, err := s.ProviderServer.ReadResource(ctx, req)
		if err != nil || len(w.Diagnostics) > 0 {
			t.Fatal(err, w.Diagnostics)
		}
		return unmarshal(t, r.typ, g.NewState), unmarshal(t, r.typ, w.NewState)
	}
	got, want := read()
	if !got.Equal(want) || !got.Equal(r.stateVal) {
		t.Fatalf("read %v\nframework read %v\nstored %v", got, want, r.stateVal)
	}
	c, err := apiclient.New(apiclient.Options{Endpoint: r.endpoint, Token: r.token})
	if err != nil {
		t.Fatal(err)
	}
	gvk := schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"}
	if _, err := c.Delete(ctx, gvk, "default", "r1", apiclient.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want = read(); !got.IsNull() || !want.IsNull() {
		t.Fatalf("after deletion: read %v, framework read %v", got, want)
	}
}
