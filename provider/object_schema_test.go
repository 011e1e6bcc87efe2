package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The nested attributes carry their type precomputed (CustomType), for
// speed; it must be exactly the type their attributes make.
func TestNestedCustomTypesMatchAttributes(t *testing.T) {
	p := New("test")()
	for _, f := range p.Resources(context.Background()) {
		r := f()
		var meta resource.MetadataResponse
		r.Metadata(context.Background(), resource.MetadataRequest{ProviderTypeName: "envoygateway"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", meta.TypeName, resp.Diagnostics)
		}
		checkCustomTypes(t, meta.TypeName, resp.Schema.Attributes)
	}
}

func checkCustomTypes(t *testing.T, at string, attrs map[string]schema.Attribute) {
	t.Helper()
	for name, a := range attrs {
		if got, want := a.GetType(), derivedType(a); !got.Equal(want) {
			t.Errorf("%s.%s: CustomType %v, attributes make %v", at, name, got, want)
		}
		if nested, ok := a.(schema.NestedAttribute); ok {
			checkCustomTypes(t, at+"."+name, nestedAttributes(nested))
		}
	}
}

func nestedAttributes(a schema.NestedAttribute) map[string]schema.Attribute {
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

// derivedType is the attribute's type from its attributes alone, as the
// framework computes it when there is no CustomType.
func derivedType(a schema.Attribute) attr.Type {
	obj := func(attrs map[string]schema.Attribute) types.ObjectType {
		m := make(map[string]attr.Type, len(attrs))
		for n, c := range attrs {
			m[n] = derivedType(c)
		}
		return types.ObjectType{AttrTypes: m}
	}
	switch a := a.(type) {
	case schema.SingleNestedAttribute:
		return obj(a.Attributes)
	case schema.ListNestedAttribute:
		return types.ListType{ElemType: obj(a.NestedObject.Attributes)}
	case schema.SetNestedAttribute:
		return types.SetType{ElemType: obj(a.NestedObject.Attributes)}
	case schema.MapNestedAttribute:
		return types.MapType{ElemType: obj(a.NestedObject.Attributes)}
	}
	return a.GetType()
}
