package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// rootAttrs reads the attributes of a resource's root value.
func rootAttrs(v tftypes.Value) (map[string]tftypes.Value, error) {
	attrs := map[string]tftypes.Value{}
	if v.IsNull() || !v.IsKnown() {
		return attrs, nil
	}
	err := v.As(&attrs)
	return attrs, err
}

// objectFrom builds the object a plan describes. Unknown and null
// attributes are left out, so the server applies its defaults.
func (m *kindModel) objectFrom(v tftypes.Value) (*unstructured.Unstructured, error) {
	attrs, err := rootAttrs(v)
	if err != nil {
		return nil, err
	}
	obj := map[string]any{"apiVersion": m.gvk.GroupVersion().String(), "kind": m.gvk.Kind}
	meta, ok, err := m.meta.ToJSON(attrs["metadata"])
	if err != nil {
		return nil, fmt.Errorf("metadata%w", err)
	}
	if ok {
		obj["metadata"] = meta
	}
	spec, ok, err := m.spec.ToJSON(attrs["spec"])
	if err != nil {
		return nil, fmt.Errorf("spec%w", err)
	}
	if ok {
		obj["spec"] = spec
	}
	return &unstructured.Unstructured{Object: obj}, nil
}

// stateFrom is the resource state of a stored object. The apply options
// (wait_for, timeouts) are not part of the object: they come from prior.
// Where the server returns null for an empty list or map the user wrote
// (or the reverse), prior's form is kept: both mean the same to the API.
func (m *kindModel) stateFrom(ctx context.Context, rootType tftypes.Type, obj map[string]any, prior tftypes.Value) (tftypes.Value, error) {
	priorAttrs, err := rootAttrs(prior)
	if err != nil {
		return tftypes.Value{}, err
	}
	attrs := map[string]tftypes.Value{}
	meta, _ := obj["metadata"].(map[string]any)
	if attrs["metadata"], err = m.meta.FromJSON(meta); err != nil {
		return tftypes.Value{}, fmt.Errorf("metadata: %w", err)
	}
	if attrs["spec"], err = m.spec.FromJSON(obj["spec"]); err != nil {
		return tftypes.Value{}, fmt.Errorf("spec: %w", err)
	}
	for _, name := range []string{"metadata", "spec"} {
		if p, ok := priorAttrs[name]; ok {
			if attrs[name], err = keepEmptyForm(attrs[name], p); err != nil {
				return tftypes.Value{}, err
			}
		}
	}
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	attrs["id"] = tftypes.NewValue(tftypes.String, m.id(ns, name))
	attrType := rootType.(tftypes.Object).AttributeTypes
	attrs["timeouts"] = orNull(priorAttrs["timeouts"], attrType["timeouts"])
	if m.status != nil {
		if attrs["status"], err = m.status.FromJSON(obj["status"]); err != nil {
			return tftypes.Value{}, fmt.Errorf("status: %w", err)
		}
		attrs["wait_for"] = priorAttrs["wait_for"]
		if w := priorAttrs["wait_for"]; w.IsNull() || !w.IsKnown() {
			attrs["wait_for"] = tftypes.NewValue(tftypes.String, waitAccepted)
		}
	}
	return tftypes.NewValue(rootType, attrs), nil
}

func orNull(v tftypes.Value, t tftypes.Type) tftypes.Value {
	if v.Type() == nil || !v.IsKnown() {
		return tftypes.NewValue(t, nil)
	}
	return v
}

// keepEmptyForm makes v use hint's form where one is null and the other
// an empty collection.
func keepEmptyForm(v, hint tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(v, func(p *tftypes.AttributePath, cur tftypes.Value) (tftypes.Value, error) {
		h, _, err := tftypes.WalkAttributePath(hint, p)
		if err != nil {
			return cur, nil
		}
		hv, ok := h.(tftypes.Value)
		if !ok || !hv.IsKnown() || !hv.Type().Equal(cur.Type()) {
			return cur, nil
		}
		switch {
		case cur.IsNull() && isEmptyCollection(hv):
			return hv, nil
		case hv.IsNull() && isEmptyCollection(cur):
			return hv, nil
		}
		return cur, nil
	})
}

func isEmptyCollection(v tftypes.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	switch {
	case v.Type().Is(tftypes.List{}), v.Type().Is(tftypes.Set{}):
		var elems []tftypes.Value
		return v.As(&elems) == nil && len(elems) == 0
	case v.Type().Is(tftypes.Map{}):
		var elems map[string]tftypes.Value
		return v.As(&elems) == nil && len(elems) == 0
	}
	return false
}
