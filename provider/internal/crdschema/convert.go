package crdschema

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// ToJSON converts a Terraform value of n's type into the JSON value of
// n's field. ok is false for null and unknown values, which the object
// leaves out (so that the server applies its defaults).
func (n *Node) ToJSON(v tftypes.Value) (out any, ok bool, err error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, false, nil
	}
	switch n.Kind {
	case String:
		var s string
		err = v.As(&s)
		return s, err == nil, err
	case JSON:
		var s string
		if err = v.As(&s); err != nil {
			return nil, false, err
		}
		if err = json.Unmarshal([]byte(s), &out); err != nil {
			return nil, false, fmt.Errorf("not JSON (use jsonencode()): %w", err)
		}
		return out, true, nil
	case Int, Number:
		f := new(big.Float)
		if err = v.As(&f); err != nil {
			return nil, false, err
		}
		if n.Kind == Int {
			i, acc := f.Int64()
			if acc != big.Exact {
				return nil, false, fmt.Errorf("%s is not an integer", f.String())
			}
			return i, true, nil
		}
		x, _ := f.Float64()
		return x, true, nil
	case Bool:
		var b bool
		err = v.As(&b)
		return b, err == nil, err
	case List, Set:
		return n.listToJSON(v)
	case Map:
		return n.mapToJSON(v)
	}
	return n.objectToJSON(v)
}

func (n *Node) listToJSON(v tftypes.Value) (any, bool, error) {
	var elems []tftypes.Value
	if err := v.As(&elems); err != nil {
		return nil, false, err
	}
	out := make([]any, 0, len(elems))
	for i, e := range elems {
		j, ok, err := n.Elem.ToJSON(e)
		if err != nil {
			return nil, false, fmt.Errorf("[%d]: %w", i, err)
		}
		if ok {
			out = append(out, j)
		}
	}
	return out, true, nil
}

func (n *Node) mapToJSON(v tftypes.Value) (any, bool, error) {
	var elems map[string]tftypes.Value
	if err := v.As(&elems); err != nil {
		return nil, false, err
	}
	out := make(map[string]any, len(elems))
	for k, e := range elems {
		j, ok, err := n.Elem.ToJSON(e)
		if err != nil {
			return nil, false, fmt.Errorf("[%q]: %w", k, err)
		}
		if ok {
			out[k] = j
		}
	}
	return out, true, nil
}

func (n *Node) objectToJSON(v tftypes.Value) (any, bool, error) {
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return nil, false, err
	}
	out := map[string]any{}
	for _, a := range n.Attrs {
		j, ok, err := a.ToJSON(attrs[a.Name])
		if err != nil {
			return nil, false, fmt.Errorf(".%s: %w", a.Name, err)
		}
		if ok {
			out[a.JSONName] = j
		}
	}
	return out, true, nil
}

// FromJSON converts the JSON value of n's field (as encoding/json or
// apimachinery decode it) into a Terraform value of n's type. Fields the
// schema does not know are dropped.
func (n *Node) FromJSON(j any) (tftypes.Value, error) {
	if j == nil {
		return tftypes.NewValue(n.tfType, nil), nil
	}
	switch n.Kind {
	case String:
		s, ok := j.(string)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want a string, got %T", j)
		}
		return tftypes.NewValue(tftypes.String, s), nil
	case JSON:
		b, err := json.Marshal(j)
		return tftypes.NewValue(tftypes.String, string(b)), err
	case Int, Number:
		f, err := toBigFloat(j)
		return tftypes.NewValue(tftypes.Number, f), err
	case Bool:
		b, ok := j.(bool)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want a boolean, got %T", j)
		}
		return tftypes.NewValue(tftypes.Bool, b), nil
	case List, Set:
		return n.listFromJSON(j)
	case Map:
		return n.mapFromJSON(j)
	}
	return n.objectFromJSON(j)
}

func toBigFloat(j any) (*big.Float, error) {
	switch x := j.(type) {
	case int64:
		return new(big.Float).SetInt64(x), nil
	case int:
		return new(big.Float).SetInt64(int64(x)), nil
	case int32:
		return new(big.Float).SetInt64(int64(x)), nil
	case float64:
		return big.NewFloat(x), nil
	case json.Number:
		f, _, err := big.ParseFloat(x.String(), 10, 512, big.ToNearestEven)
		return f, err
	}
	return nil, fmt.Errorf("want a number, got %T", j)
}

func (n *Node) listFromJSON(j any) (tftypes.Value, error) {
	items, ok := j.([]any)
	if !ok {
		return tftypes.Value{}, fmt.Errorf("want a list, got %T", j)
	}
	elems := make([]tftypes.Value, len(items))
	for i, it := range items {
		v, err := n.Elem.FromJSON(it)
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("[%d]: %w", i, err)
		}
		elems[i] = v
	}
	return tftypes.NewValue(n.tfType, elems), nil
}

func (n *Node) mapFromJSON(j any) (tftypes.Value, error) {
	m, ok := j.(map[string]any)
	if !ok {
		return tftypes.Value{}, fmt.Errorf("want an object, got %T", j)
	}
	elems := make(map[string]tftypes.Value, len(m))
	for k, it := range m {
		v, err := n.Elem.FromJSON(it)
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("[%q]: %w", k, err)
		}
		elems[k] = v
	}
	return tftypes.NewValue(n.tfType, elems), nil
}

func (n *Node) objectFromJSON(j any) (tftypes.Value, error) {
	m, ok := j.(map[string]any)
	if !ok {
		return tftypes.Value{}, fmt.Errorf("want an object, got %T", j)
	}
	attrs := make(map[string]tftypes.Value, len(n.Attrs))
	for _, a := range n.Attrs {
		v, err := a.FromJSON(m[a.JSONName])
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("%s: %w", a.JSONName, err)
		}
		attrs[a.Name] = v
	}
	return tftypes.NewValue(n.tfType, attrs), nil
}
