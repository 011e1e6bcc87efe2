package crdschema

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// DataSourceAttributes are the computed data source attributes of an
// object node's fields.
func (n *Node) DataSourceAttributes() map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(n.Attrs))
	for _, a := range n.Attrs {
		out[a.Name] = a.DataSourceAttribute()
	}
	return out
}

// DataSourceAttribute is the node as a computed data source attribute.
func (n *Node) DataSourceAttribute() schema.Attribute {
	desc := n.describe(n.Description)
	switch n.Kind {
	case String, JSON:
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	case Int:
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	case Number:
		return schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
	case Bool:
		return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	case Object:
		return schema.SingleNestedAttribute{Computed: true, CustomType: n.ObjectType(), Attributes: n.DataSourceAttributes(), MarkdownDescription: desc}
	}
	if n.Elem.Kind == Object {
		obj := schema.NestedAttributeObject{Attributes: n.Elem.DataSourceAttributes(), CustomType: n.Elem.ObjectType()}
		switch n.Kind {
		case List:
			return schema.ListNestedAttribute{Computed: true, NestedObject: obj, CustomType: types.ListType{ElemType: obj.CustomType}, MarkdownDescription: desc}
		case Set:
			return schema.SetNestedAttribute{Computed: true, NestedObject: obj, CustomType: types.SetType{ElemType: obj.CustomType}, MarkdownDescription: desc}
		}
		return schema.MapNestedAttribute{Computed: true, NestedObject: obj, CustomType: types.MapType{ElemType: obj.CustomType}, MarkdownDescription: desc}
	}
	switch n.Kind {
	case List:
		return schema.ListAttribute{Computed: true, ElementType: n.Elem.AttrType(), MarkdownDescription: desc}
	case Set:
		return schema.SetAttribute{Computed: true, ElementType: n.Elem.AttrType(), MarkdownDescription: desc}
	}
	return schema.MapAttribute{Computed: true, ElementType: n.Elem.AttrType(), MarkdownDescription: desc}
}
