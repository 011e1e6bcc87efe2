package crdschema

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// AttrType is the framework type of the node's values.
func (n *Node) AttrType() attr.Type {
	switch n.Kind {
	case String, JSON:
		return types.StringType
	case Int:
		return types.Int64Type
	case Number:
		return types.Float64Type
	case Bool:
		return types.BoolType
	case List:
		return types.ListType{ElemType: n.Elem.AttrType()}
	case Set:
		return types.SetType{ElemType: n.Elem.AttrType()}
	case Map:
		return types.MapType{ElemType: n.Elem.AttrType()}
	}
	return types.ObjectType{AttrTypes: n.attrTypes()}
}

func (n *Node) attrTypes() map[string]attr.Type {
	out := make(map[string]attr.Type, len(n.Attrs))
	for _, a := range n.Attrs {
		out[a.Name] = a.AttrType()
	}
	return out
}

// ObjectType is an object node's type, set as the CustomType of its nested
// attribute. Without it the framework derives the type from the nested
// attributes again at every step of every path it walks, which for the
// Gateway API's deep schemas was most of the provider's CPU time in a plan.
func (n *Node) ObjectType() types.ObjectType {
	return types.ObjectType{AttrTypes: n.attrTypes()}
}
