package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// defaultsNode is the part of a schema that has defaults: an attribute's
// own default, and those of its nested attributes. Attributes without
// any are left out.
type defaultsNode struct {
	def   *tftypes.Value
	attrs map[string]*defaultsNode // nested attributes of an object
	elem  *defaultsNode            // of every element of a list or map
	// set: elements of a set hold defaults. The framework looks a set
	// element's config up by its planned value, so only the framework
	// knows what it does there.
	set bool
}

// holds says whether the framework's defaulting of the planned value have
// changes nothing: wherever config is null and the schema has a default,
// have already holds it. It answers false whenever it cannot be sure.
func (d *defaultsNode) holds(config, have tftypes.Value) bool {
	if d == nil {
		return true
	}
	if !config.IsKnown() || !have.IsKnown() || have.Type() == nil {
		return false
	}
	if config.IsNull() && d.def != nil {
		return have.Equal(*d.def)
	}
	if have.IsNull() {
		return config.IsNull()
	}
	switch {
	case d.set:
		return false
	case d.attrs != nil:
		return d.attrsHold(config, have)
	case d.elem != nil:
		return d.elemsHold(config, have)
	}
	return true
}

func (d *defaultsNode) attrsHold(config, have tftypes.Value) bool {
	var c, h map[string]tftypes.Value
	if !config.IsNull() && config.As(&c) != nil {
		return false
	}
	if have.As(&h) != nil {
		return false
	}
	for name, sub := range d.attrs {
		hv, ok := h[name]
		if !ok || !sub.holds(c[name], hv) {
			return false
		}
	}
	return true
}

func (d *defaultsNode) elemsHold(config, have tftypes.Value) bool {
	if have.Type().Is(tftypes.Map{}) {
		var c, h map[string]tftypes.Value
		if (!config.IsNull() && config.As(&c) != nil) || have.As(&h) != nil {
			return false
		}
		for key, hv := range h {
			if !d.elem.holds(c[key], hv) {
				return false
			}
		}
		return true
	}
	var c, h []tftypes.Value
	if (!config.IsNull() && config.As(&c) != nil) || have.As(&h) != nil {
		return false
	}
	for i, hv := range h {
		var cv tftypes.Value
		if i < len(c) {
			cv = c[i]
		}
		if !d.elem.holds(cv, hv) {
			return false
		}
	}
	return true
}

// schemaDefaults collects the defaults of a resource schema's attributes,
// as the framework would plan them.
func schemaDefaults(ctx context.Context, attrs map[string]schema.Attribute) (*defaultsNode, error) {
	out := map[string]*defaultsNode{}
	for name, a := range attrs {
		d, err := attributeDefaults(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if d != nil {
			out[name] = d
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &defaultsNode{attrs: out}, nil
}

func attributeDefaults(ctx context.Context, a schema.Attribute) (*defaultsNode, error) {
	def, err := defaultOf(ctx, a)
	if err != nil {
		return nil, err
	}
	d := &defaultsNode{def: def}
	switch a := a.(type) {
	case schema.SingleNestedAttribute:
		var sub *defaultsNode
		if sub, err = schemaDefaults(ctx, a.Attributes); sub != nil {
			d.attrs = sub.attrs
		}
	case schema.ListNestedAttribute:
		d.elem, err = schemaDefaults(ctx, a.NestedObject.Attributes)
	case schema.MapNestedAttribute:
		d.elem, err = schemaDefaults(ctx, a.NestedObject.Attributes)
	case schema.SetNestedAttribute:
		var sub *defaultsNode
		sub, err = schemaDefaults(ctx, a.NestedObject.Attributes)
		d.set = sub != nil
	}
	if err != nil || (d.def == nil && d.attrs == nil && d.elem == nil && !d.set) {
		return nil, err
	}
	return d, nil
}

// defaultOf is an attribute's default as a Terraform value, or nil. A kind
// of attribute it does not know fails, so that a schema change cannot
// quietly make holds answer wrongly.
func defaultOf(ctx context.Context, a schema.Attribute) (*tftypes.Value, error) {
	var v attr.Value
	var diags diag.Diagnostics
	p := path.Empty()
	switch a := a.(type) {
	case schema.StringAttribute:
		if a.Default != nil {
			resp := &defaults.StringResponse{}
			a.Default.DefaultString(ctx, defaults.StringRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.Int64Attribute:
		if a.Default != nil {
			resp := &defaults.Int64Response{}
			a.Default.DefaultInt64(ctx, defaults.Int64Request{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.Float64Attribute:
		if a.Default != nil {
			resp := &defaults.Float64Response{}
			a.Default.DefaultFloat64(ctx, defaults.Float64Request{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.BoolAttribute:
		if a.Default != nil {
			resp := &defaults.BoolResponse{}
			a.Default.DefaultBool(ctx, defaults.BoolRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.ListAttribute:
		if a.Default != nil {
			resp := &defaults.ListResponse{}
			a.Default.DefaultList(ctx, defaults.ListRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.SetAttribute:
		if a.Default != nil {
			resp := &defaults.SetResponse{}
			a.Default.DefaultSet(ctx, defaults.SetRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.MapAttribute:
		if a.Default != nil {
			resp := &defaults.MapResponse{}
			a.Default.DefaultMap(ctx, defaults.MapRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.SingleNestedAttribute:
		if a.Default != nil {
			resp := &defaults.ObjectResponse{}
			a.Default.DefaultObject(ctx, defaults.ObjectRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.ListNestedAttribute:
		if a.Default != nil {
			resp := &defaults.ListResponse{}
			a.Default.DefaultList(ctx, defaults.ListRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.SetNestedAttribute:
		if a.Default != nil {
			resp := &defaults.SetResponse{}
			a.Default.DefaultSet(ctx, defaults.SetRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	case schema.MapNestedAttribute:
		if a.Default != nil {
			resp := &defaults.MapResponse{}
			a.Default.DefaultMap(ctx, defaults.MapRequest{Path: p}, resp)
			v, diags = resp.PlanValue, resp.Diagnostics
		}
	default:
		return nil, fmt.Errorf("attribute type %T not known to the plan shortcut", a)
	}
	if diags.HasError() {
		return nil, fmt.Errorf("default: %v", diags)
	}
	if v == nil {
		return nil, nil
	}
	tv, err := v.ToTerraformValue(ctx)
	if err != nil {
		return nil, err
	}
	return &tv, nil
}

// apply is the framework's defaulting of planned: wherever config is null
// and the schema has a default, planned gets the default. ok is false where
// only the framework knows what it does (inside sets).
func (d *defaultsNode) apply(config, planned tftypes.Value) (tftypes.Value, bool) {
	if d == nil {
		return planned, true
	}
	if config.IsNull() && d.def != nil {
		return *d.def, true
	}
	if !config.IsKnown() || planned.IsNull() || !planned.IsKnown() {
		return planned, true
	}
	switch {
	case d.set:
		return planned, false
	case d.attrs != nil:
		return d.applyAttrs(config, planned)
	case d.elem != nil:
		return d.applyElems(config, planned)
	}
	return planned, true
}

func (d *defaultsNode) applyAttrs(config, planned tftypes.Value) (tftypes.Value, bool) {
	var c, p map[string]tftypes.Value
	if (!config.IsNull() && config.As(&c) != nil) || planned.As(&p) != nil {
		return planned, false
	}
	for name, sub := range d.attrs {
		v, ok := sub.apply(c[name], p[name])
		if !ok {
			return planned, false
		}
		p[name] = v
	}
	return tftypes.NewValue(planned.Type(), p), true
}

func (d *defaultsNode) applyElems(config, planned tftypes.Value) (tftypes.Value, bool) {
	if planned.Type().Is(tftypes.Map{}) {
		var c, p map[string]tftypes.Value
		if (!config.IsNull() && config.As(&c) != nil) || planned.As(&p) != nil {
			return planned, false
		}
		for key, pv := range p {
			v, ok := d.elem.apply(c[key], pv)
			if !ok {
				return planned, false
			}
			p[key] = v
		}
		return tftypes.NewValue(planned.Type(), p), true
	}
	var c, p []tftypes.Value
	if (!config.IsNull() && config.As(&c) != nil) || planned.As(&p) != nil {
		return planned, false
	}
	for i, pv := range p {
		var cv tftypes.Value
		if i < len(c) {
			cv = c[i]
		}
		v, ok := d.elem.apply(cv, pv)
		if !ok {
			return planned, false
		}
		p[i] = v
	}
	return tftypes.NewValue(planned.Type(), p), true
}
