package crdschema

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// presence says how an attribute is set: by the user (Required or
// Optional), by the server's default when the user leaves it out
// (Optional+Computed with the default in the plan), or only by the server.
type presence struct{ required, optional, computed bool }

func (n *Node) presence(computedOnly bool) presence {
	switch {
	case computedOnly:
		return presence{computed: true}
	case n.Required:
		return presence{required: true}
	case n.Defaulted:
		return presence{optional: true, computed: true}
	}
	return presence{optional: true}
}

// ResourceAttributes are the resource schema attributes of an object
// node's fields. computedOnly makes every attribute server-set (status).
func (n *Node) ResourceAttributes(computedOnly bool) (map[string]schema.Attribute, error) {
	out := make(map[string]schema.Attribute, len(n.Attrs))
	for _, a := range n.Attrs {
		ra, err := a.ResourceAttribute(computedOnly)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.JSONName, err)
		}
		out[a.Name] = ra
	}
	return out, nil
}

// ResourceAttribute is the node as a resource schema attribute. Server
// defaults are the attribute's Default, so leaving a field out plans the
// value the server will store, and never diffs.
func (n *Node) ResourceAttribute(computedOnly bool) (schema.Attribute, error) {
	p := n.presence(computedOnly)
	desc := n.Description
	def, err := n.defaultValue(computedOnly)
	if err != nil {
		return nil, err
	}
	switch n.Kind {
	case String, JSON:
		a := schema.StringAttribute{Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: n.describe(desc)}
		if len(n.Enum) > 0 && !computedOnly {
			a.Validators = []validator.String{stringvalidator.OneOf(n.Enum...)}
		}
		if def != nil {
			a.Default = stringdefault.StaticString(def.(types.String).ValueString())
		}
		return a, nil
	case Int:
		a := schema.Int64Attribute{Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
		if def != nil {
			a.Default = int64default.StaticInt64(def.(types.Int64).ValueInt64())
		}
		return a, nil
	case Number:
		a := schema.Float64Attribute{Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
		if def != nil {
			a.Default = float64default.StaticFloat64(def.(types.Float64).ValueFloat64())
		}
		return a, nil
	case Bool:
		a := schema.BoolAttribute{Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
		if def != nil {
			a.Default = booldefault.StaticBool(def.(types.Bool).ValueBool())
		}
		return a, nil
	case Object:
		attrs, err := n.ResourceAttributes(computedOnly)
		if err != nil {
			return nil, err
		}
		a := schema.SingleNestedAttribute{Attributes: attrs, CustomType: n.ObjectType(), Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
		if def != nil {
			a.Default = objectdefault.StaticValue(def.(types.Object))
		}
		return a, nil
	}
	return n.collectionAttribute(p, def, computedOnly)
}

func (n *Node) collectionAttribute(p presence, def attr.Value, computedOnly bool) (schema.Attribute, error) {
	desc := n.Description
	if n.Elem.Kind == Object {
		attrs, err := n.Elem.ResourceAttributes(computedOnly)
		if err != nil {
			return nil, err
		}
		obj := schema.NestedAttributeObject{Attributes: attrs, CustomType: n.Elem.ObjectType()}
		switch n.Kind {
		case List:
			a := schema.ListNestedAttribute{NestedObject: obj, CustomType: types.ListType{ElemType: obj.CustomType}, Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
			if def != nil {
				a.Default = listdefault.StaticValue(def.(types.List))
			}
			return a, nil
		case Set:
			a := schema.SetNestedAttribute{NestedObject: obj, CustomType: types.SetType{ElemType: obj.CustomType}, Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
			if def != nil {
				a.Default = setdefault.StaticValue(def.(types.Set))
			}
			return a, nil
		}
		a := schema.MapNestedAttribute{NestedObject: obj, CustomType: types.MapType{ElemType: obj.CustomType}, Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
		if def != nil {
			a.Default = mapdefault.StaticValue(def.(types.Map))
		}
		return a, nil
	}
	elem := n.Elem.AttrType()
	switch n.Kind {
	case List:
		a := schema.ListAttribute{ElementType: elem, Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
		if def != nil {
			a.Default = listdefault.StaticValue(def.(types.List))
		}
		return a, nil
	case Set:
		a := schema.SetAttribute{ElementType: elem, Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: n.describe(desc)}
		if def != nil {
			a.Default = setdefault.StaticValue(def.(types.Set))
		}
		return a, nil
	}
	a := schema.MapAttribute{ElementType: elem, Required: p.required, Optional: p.optional, Computed: p.computed, MarkdownDescription: desc}
	if def != nil {
		a.Default = mapdefault.StaticValue(def.(types.Map))
	}
	return a, nil
}

// describe notes what the CRD's description cannot know.
func (n *Node) describe(desc string) string {
	switch {
	case n.Kind == JSON:
		return desc + "\n\nAny JSON value, as JSON text: use `jsonencode()`."
	case n.Kind == Set:
		return desc + "\n\nA set: the order of its items means nothing."
	}
	return desc
}

func (n *Node) defaultValue(computedOnly bool) (attr.Value, error) {
	if computedOnly || !n.Defaulted {
		return nil, nil
	}
	tv, err := n.FromJSON(n.DefaultJSON())
	if err != nil {
		return nil, fmt.Errorf("default: %w", err)
	}
	return n.AttrType().ValueFromTerraform(context.Background(), tv)
}
