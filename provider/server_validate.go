package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// attrCheck is what the framework checks of one attribute's configuration
// in ValidateResourceConfig: it is not set when read-only, set when
// required, and its validators pass; then the same for its nested
// attributes.
type attrCheck struct {
	required, readOnly bool
	validators         []validator.String
	nesting            nesting
	attrs              map[string]*attrCheck // nested attributes
}

type nesting int

const (
	notNested nesting = iota
	single
	list
	set
	mapOf
)

// valid says whether the framework would find nothing to report in the
// configuration v of the attribute at p. Paths only name diagnostics, and
// any diagnostic sends the request to the framework, so set elements
// borrow their set's path.
func (c *attrCheck) valid(ctx context.Context, p path.Path, v tftypes.Value, config tfsdk.Config) bool {
	if (c.readOnly && !v.IsNull()) || (c.required && v.IsNull()) {
		return false
	}
	if len(c.validators) > 0 {
		req := validator.StringRequest{Path: p, PathExpression: p.Expression(), Config: config, ConfigValue: stringValue(v)}
		for _, val := range c.validators {
			resp := &validator.StringResponse{}
			val.ValidateString(ctx, req, resp)
			if len(resp.Diagnostics) > 0 {
				return false
			}
		}
	}
	if c.nesting == notNested || v.IsNull() || !v.IsKnown() {
		return true
	}
	switch c.nesting {
	case single:
		return c.attrsValid(ctx, p, v, config)
	case list, set:
		var elems []tftypes.Value
		if v.As(&elems) != nil {
			return false
		}
		for i, e := range elems {
			ep := p
			if c.nesting == list {
				ep = p.AtListIndex(i)
			}
			if !c.attrsValid(ctx, ep, e, config) {
				return false
			}
		}
	case mapOf:
		var elems map[string]tftypes.Value
		if v.As(&elems) != nil {
			return false
		}
		for k, e := range elems {
			if !c.attrsValid(ctx, p.AtMapKey(k), e, config) {
				return false
			}
		}
	}
	return true
}

func (c *attrCheck) attrsValid(ctx context.Context, p path.Path, v tftypes.Value, config tfsdk.Config) bool {
	if v.IsNull() || !v.IsKnown() {
		return true
	}
	var attrs map[string]tftypes.Value
	if v.As(&attrs) != nil {
		return false
	}
	for name, sub := range c.attrs {
		av, ok := attrs[name]
		if !ok || !sub.valid(ctx, p.AtName(name), av, config) {
			return false
		}
	}
	return true
}

func stringValue(v tftypes.Value) types.String {
	var s string
	switch {
	case !v.IsKnown():
		return types.StringUnknown()
	case v.IsNull() || v.As(&s) != nil:
		return types.StringNull()
	}
	return types.StringValue(s)
}

// schemaChecks is attrCheck for every attribute of a resource schema. It
// fails on anything it does not mirror (validators of other than string
// attributes, deprecations, write-only attributes), so that the framework
// keeps validating a schema that grows those.
func schemaChecks(attrs map[string]schema.Attribute) (map[string]*attrCheck, error) {
	out := make(map[string]*attrCheck, len(attrs))
	for name, a := range attrs {
		c, err := attributeCheck(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = c
	}
	return out, nil
}

func attributeCheck(a schema.Attribute) (*attrCheck, error) {
	if a.GetDeprecationMessage() != "" || a.IsWriteOnly() {
		return nil, fmt.Errorf("deprecated or write-only attributes are not checked here")
	}
	c := &attrCheck{required: a.IsRequired(), readOnly: a.IsComputed() && !a.IsOptional()}
	var nested map[string]schema.Attribute
	var n int
	switch a := a.(type) {
	case schema.StringAttribute:
		c.validators = a.Validators
	case schema.Int64Attribute:
		n = len(a.Validators)
	case schema.Float64Attribute:
		n = len(a.Validators)
	case schema.BoolAttribute:
		n = len(a.Validators)
	case schema.ListAttribute:
		n = len(a.Validators)
	case schema.SetAttribute:
		n = len(a.Validators)
	case schema.MapAttribute:
		n = len(a.Validators)
	case schema.SingleNestedAttribute:
		c.nesting, nested, n = single, a.Attributes, len(a.Validators)
	case schema.ListNestedAttribute:
		c.nesting, nested, n = list, a.NestedObject.Attributes, len(a.Validators)+len(a.NestedObject.Validators)
	case schema.SetNestedAttribute:
		c.nesting, nested, n = set, a.NestedObject.Attributes, len(a.Validators)+len(a.NestedObject.Validators)
	case schema.MapNestedAttribute:
		c.nesting, nested, n = mapOf, a.NestedObject.Attributes, len(a.Validators)+len(a.NestedObject.Validators)
	default:
		return nil, fmt.Errorf("attribute type %T is not checked here", a)
	}
	if n > 0 {
		return nil, fmt.Errorf("validators of %T are not run here", a)
	}
	if nested != nil {
		var err error
		if c.attrs, err = schemaChecks(nested); err != nil {
			return nil, err
		}
	}
	return c, nil
}
