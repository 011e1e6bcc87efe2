package crdschema

// ApplyDefaults fills absent fields of j that have defaults, recursively,
// as Kubernetes structural defaulting does: a default object gets its own
// fields' defaults too.
func (n *Node) ApplyDefaults(j any) any {
	switch n.Kind {
	case Object:
		m, ok := j.(map[string]any)
		if !ok {
			return j
		}
		for _, a := range n.Attrs {
			v, present := m[a.JSONName]
			if !present && a.Defaulted {
				v, present = deepCopy(a.Default), true
			}
			if present {
				m[a.JSONName] = a.ApplyDefaults(v)
			}
		}
		return m
	case List, Set:
		items, ok := j.([]any)
		if !ok {
			return j
		}
		for i := range items {
			items[i] = n.Elem.ApplyDefaults(items[i])
		}
		return items
	case Map:
		m, ok := j.(map[string]any)
		if !ok {
			return j
		}
		for k := range m {
			m[k] = n.Elem.ApplyDefaults(m[k])
		}
		return m
	}
	return j
}

// DefaultJSON is the value the server gives the field when it is absent.
func (n *Node) DefaultJSON() any {
	if !n.Defaulted {
		return nil
	}
	return n.ApplyDefaults(deepCopy(n.Default))
}

func deepCopy(j any) any {
	switch x := j.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			out[k] = deepCopy(v)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = deepCopy(v)
		}
		return out
	}
	return j
}
