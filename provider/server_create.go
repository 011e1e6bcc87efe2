package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// planCreate plans a new object as the framework does: Terraform's
// proposal, with the defaults of what the configuration leaves out, the
// root's computed attributes unknown (status) or known already (id), and
// the dry-run. Terraform plans every new object twice in an apply. It
// declines (false) whenever the framework could answer otherwise,
// including every dry-run refusal, which the framework then reports.
func (k *serverKind) planCreate(ctx context.Context, c *apiclient.Client, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.DynamicValue, bool) {
	if k.unknowns == nil || c == nil || req.PriorState == nil || req.ProposedNewState == nil || req.Config == nil || len(req.PriorPrivate) > 0 || req.PriorIdentity != nil {
		return nil, false
	}
	prior, err := req.PriorState.Unmarshal(k.typ)
	if err != nil || !prior.IsNull() {
		return nil, false
	}
	config, err := req.Config.Unmarshal(k.typ)
	if err != nil || config.IsNull() || !config.IsFullyKnown() {
		return nil, false
	}
	proposed, err := req.ProposedNewState.Unmarshal(k.typ)
	if err != nil || proposed.IsNull() || !proposed.IsFullyKnown() {
		return nil, false
	}
	planned, ok := k.defaults.apply(config, proposed)
	if !ok {
		return nil, false
	}
	if planned, ok = k.markUnknowns(config, planned); !ok {
		return nil, false
	}
	obj, err := k.m.objectFrom(planned)
	if err != nil {
		return nil, false
	}
	if !destroying() {
		if _, err := c.DryRun(ctx, obj); err != nil {
			return nil, false
		}
	}
	dv, err := tfprotov6.NewDynamicValue(k.typ, planned)
	if err != nil {
		return nil, false
	}
	return &dv, true
}

// markUnknowns makes the root's computed attributes without a default
// unknown where config leaves them out, as the framework does for a
// changed plan, then sets the id ModifyPlan would set.
func (k *serverKind) markUnknowns(config, planned tftypes.Value) (tftypes.Value, bool) {
	c, err := rootAttrs(config)
	if err != nil {
		return planned, false
	}
	p, err := rootAttrs(planned)
	if err != nil {
		return planned, false
	}
	for _, name := range k.unknowns {
		if c[name].IsNull() {
			p[name] = tftypes.NewValue(p[name].Type(), tftypes.UnknownValue)
		}
	}
	meta, err := rootAttrs(p["metadata"])
	if err != nil {
		return planned, false
	}
	var name, ns string
	if meta["name"].As(&name) != nil || (k.m.scoped && meta["namespace"].As(&ns) != nil) {
		return planned, false
	}
	p["id"] = tftypes.NewValue(tftypes.String, k.m.id(ns, name))
	return tftypes.NewValue(planned.Type(), p), true
}

// rootUnknowns lists the root attributes the framework marks unknown in a
// new object's plan. It fails (nil) when a nested attribute outside a
// read-only one is computed without a default: the framework would mark
// that one too, and planCreate does not.
func rootUnknowns(s schema.Schema) []string {
	names := []string{}
	for name, a := range s.Attributes {
		d, err := defaultOf(context.Background(), a)
		if err != nil {
			return nil
		}
		switch {
		case a.IsComputed() && d == nil:
			names = append(names, name)
			if a.IsOptional() {
				return nil
			}
		case !computedWithoutDefault(nestedOf(a)):
		default:
			return nil
		}
	}
	return names
}

func nestedOf(a schema.Attribute) map[string]schema.Attribute {
	switch a := a.(type) {
	case schema.SingleNestedAttribute:
		return a.Attributes
	case schema.ListNestedAttribute:
		return a.NestedObject.Attributes
	case schema.SetNestedAttribute:
		return a.NestedObject.Attributes
	case schema.MapNestedAttribute:
		return a.NestedObject.Attributes
	}
	return nil
}

func computedWithoutDefault(attrs map[string]schema.Attribute) bool {
	for _, a := range attrs {
		d, err := defaultOf(context.Background(), a)
		if err != nil || (a.IsComputed() && d == nil) || computedWithoutDefault(nestedOf(a)) {
			return true
		}
	}
	return false
}
