package provider

import (
	"context"
	"fmt"
	"strings"
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
				t.Fatalf("plans differ (replace %v, framework's %v):\n%s", got.RequiresReplace, want.RequiresReplace, diffValues(gv, wv))
			}
			// A case the shortcut leaves alone must be one the framework
			// plans a change for, or the case tests nothing.
			if unchanged := wv.Equal(c.state); unchanged != c.shortcut {
				t.Fatalf("the framework plans a change: %v; the case expects one: %v", !unchanged, !c.shortcut)
			}
		})
	}
}

// diffValues names the paths where a and b differ, rather than printing
// two values of the very long HTTPRoute type.
func diffValues(a, b tftypes.Value) string {
	diffs, err := a.Diff(b)
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, d := range diffs {
		out = append(out, fmt.Sprintf("%s: %v != %v", d.Path, short(d.Value1), short(d.Value2)))
	}
	return strings.Join(out, "\n")
}

func short(v *tftypes.Value) string {
	if v == nil {
		return "<none>"
	}
	s := v.String()
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
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
	// The translator may write status back between the two reads, so
	// the first pair may differ there; the second is taken after it.
	got, want := read()
	if !got.Equal(want) {
		got, want = read()
	}
	if !got.Equal(want) {
		t.Fatalf("read and the framework's read differ:\n%s", diffValues(got, want))
	}
	if v, _, err := tftypes.WalkAttributePath(got, prefixPath); err != nil || !v.(tftypes.Value).Equal(tftypes.NewValue(tftypes.String, "/r1")) {
		t.Fatalf("read %s = %v (%v), want the server's /r1", prefixPath, v, err)
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

// The validation shortcut says "valid" exactly when the framework reports
// nothing; everything it would report, it leaves to the framework.
func TestValidateShortcutIsTheFrameworksAnswer(t *testing.T) {
	r := newRouteRPCs(t)
	s := r.srv.(*server)
	attrs := r.typ.(tftypes.Object).AttributeTypes
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	timeouts := func(create string) tftypes.Value {
		return tftypes.NewValue(attrs["timeouts"], map[string]tftypes.Value{
			"create": str(create), "update": tftypes.NewValue(tftypes.String, nil), "delete": tftypes.NewValue(tftypes.String, nil),
		})
	}
	// A status with no parents: not null, which is all that matters.
	statusType := attrs["status"].(tftypes.Object)
	statusAttrs := map[string]tftypes.Value{}
	for name, typ := range statusType.AttributeTypes {
		statusAttrs[name] = tftypes.NewValue(typ, nil)
	}
	status := tftypes.NewValue(statusType, statusAttrs)
	cases := []struct {
		name   string
		config tftypes.Value
		valid  bool
	}{
		{"as written", r.configVal, true},
		{"unknown name", with(t, r.configVal, attrPath("metadata", "name"), tftypes.NewValue(tftypes.String, tftypes.UnknownValue)), true},
		{"timeouts", with(t, r.configVal, attrPath("timeouts"), timeouts("90s")), true},
		{"wait_for Programmed", with(t, r.configVal, attrPath("wait_for"), str("Programmed")), true},
		{"path type not in the enum", with(t, r.configVal, attrPath("spec", "rules", 0, "matches", 0, "path", "type"), str("Prefix")), false},
		{"bad timeout", with(t, r.configVal, attrPath("timeouts"), timeouts("soon")), false},
		{"wait_for not a condition", with(t, r.configVal, attrPath("wait_for"), str("Ready")), false},
		{"status set", with(t, r.configVal, attrPath("status"), status), false},
		{"id set", with(t, r.configVal, attrPath("id"), str("default/r1")), false},
		{"required name null", with(t, r.configVal, attrPath("spec", "parent_refs", 0, "name"), tftypes.NewValue(tftypes.String, nil)), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dv := mustDV(t, r.typ, c.config)
			want, err := s.ProviderServer.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: "envoygateway_http_route", Config: dv})
			if err != nil {
				t.Fatal(err)
			}
			if frameworkValid := len(want.Diagnostics) == 0; frameworkValid != c.valid {
				t.Fatalf("the framework finds it valid: %v (%v); the case expects %v", frameworkValid, want.Diagnostics, c.valid)
			}
			if got := s.kinds["envoygateway_http_route"].valid(context.Background(), dv); got != c.valid {
				t.Fatalf("shortcut says valid: %v, want %v", got, c.valid)
			}
			got, err := s.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: "envoygateway_http_route", Config: dv})
			if err != nil || len(got.Diagnostics) != len(want.Diagnostics) {
				t.Fatalf("diagnostics %v, framework's %v (%v)", got.Diagnostics, want.Diagnostics, err)
			}
		})
	}
}

// Every kind gets the shortcuts: its schema holds nothing they do not
// mirror (else they quietly leave everything to the framework).
func TestEveryKindHasShortcuts(t *testing.T) {
	srv, err := NewServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	s := srv.(*server)
	if len(s.kinds) != 10 {
		t.Fatalf("%d kinds, want 10", len(s.kinds))
	}
	for name, k := range s.kinds {
		if k.checks == nil {
			t.Errorf("%s: no validation shortcut", name)
		}
		if k.unknowns == nil {
			t.Errorf("%s: no create plan shortcut", name)
		}
	}
}

// The state upgrade shortcut reads a stored state as the framework does,
// attributes the schema no longer has included, and leaves what it cannot
// read to the framework's error.
func TestUpgradeShortcutIsTheFrameworksAnswer(t *testing.T) {
	srv, err := NewServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	s := srv.(*server)
	k := s.kinds["envoygateway_http_route"]
	for _, c := range []struct{ name, json string }{
		{"stored state", `{"id":"default/r","metadata":{"name":"r","namespace":"default"},"spec":{"hostnames":["a.example.com"],"parent_refs":[{"group":"gateway.networking.k8s.io","kind":"Gateway","name":"gw"}],"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/a"}}],"backend_refs":[{"name":"b","weight":3}]}]},"wait_for":"Accepted"}`},
		{"an attribute the schema dropped", `{"id":"default/r","metadata":{"name":"r","namespace":"default","uid":"x"},"spec":{"gone":1},"wait_for":"Accepted"}`},
		{"not a state", `{"id":`},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := &tfprotov6.UpgradeResourceStateRequest{TypeName: "envoygateway_http_route", RawState: &tfprotov6.RawState{JSON: []byte(c.json)}}
			got, err := s.UpgradeResourceState(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.ProviderServer.UpgradeResourceState(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Diagnostics) != len(want.Diagnostics) || (got.UpgradedState == nil) != (want.UpgradedState == nil) {
				t.Fatalf("diagnostics %v, framework's %v", got.Diagnostics, want.Diagnostics)
			}
			if want.UpgradedState == nil {
				return
			}
			if gv, wv := unmarshal(t, k.typ, got.UpgradedState), unmarshal(t, k.typ, want.UpgradedState); !gv.Equal(wv) {
				t.Fatalf("upgraded states differ:\n%s", diffValues(gv, wv))
			}
		})
	}
}

// The plan of a new object is the framework's: defaults, unknowns, id and
// the dry-run's refusal alike (which the shortcut leaves to the framework).
func TestCreatePlanShortcutIsTheFrameworksAnswer(t *testing.T) {
	r := newRouteRPCs(t)
	s := r.srv.(*server)
	k := s.kinds["envoygateway_http_route"]
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	rule := attrPath("spec", "rules", 0)
	rename := func(v tftypes.Value) tftypes.Value { return with(t, v, attrPath("metadata", "name"), str("new")) }
	cases := []struct {
		name              string
		config            tftypes.Value
		shortcut, refused bool
	}{
		{"as written", rename(r.configVal), true, false},
		{"weight left out", with(t, rename(r.configVal), weightPath, tftypes.NewValue(tftypes.Number, nil)), true, false},
		{"matches left out", with(t, rename(r.configVal), rule.WithAttributeName("matches"), tftypes.NewValue(k.typ.(tftypes.Object).AttributeTypes["spec"].(tftypes.Object).AttributeTypes["rules"].(tftypes.List).ElementType.(tftypes.Object).AttributeTypes["matches"], nil)), true, false},
		{"elsewhere, waiting for Programmed", with(t, with(t, rename(r.configVal), namespacePath, str("apps")), attrPath("wait_for"), str("Programmed")), true, false},
		{"refused by the dry-run", with(t, rename(r.configVal), prefixPath, str("no-slash")), false, true},
		{"name known only at apply", with(t, r.configVal, attrPath("metadata", "name"), tftypes.NewValue(tftypes.String, tftypes.UnknownValue)), false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := &tfprotov6.PlanResourceChangeRequest{
				TypeName: "envoygateway_http_route", Config: mustDV(t, r.typ, c.config),
				PriorState: mustDV(t, r.typ, tftypes.NewValue(r.typ, nil)), ProposedNewState: mustDV(t, r.typ, c.config),
			}
			if _, got := k.planCreate(context.Background(), s.client(), req); got != c.shortcut {
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
			if len(got.Diagnostics) != len(want.Diagnostics) || (len(want.Diagnostics) > 0) != c.refused {
				t.Fatalf("diagnostics %v, framework's %v", got.Diagnostics, want.Diagnostics)
			}
			if want.PlannedState == nil {
				return
			}
			if gv, wv := unmarshal(t, r.typ, got.PlannedState), unmarshal(t, r.typ, want.PlannedState); !gv.Equal(wv) {
				t.Fatalf("plans differ:\n%s", diffValues(gv, wv))
			}
		})
	}
}
