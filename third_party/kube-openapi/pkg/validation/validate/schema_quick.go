// PATCHED (third_party/README.md): this file is not upstream.
//
// SchemaValidator.Validate builds a validator, a path string and several
// Results for every value of the data, though almost every value is valid
// and then nothing but the Result's MatchCount survives. quickChecker walks
// the data once and answers only "would Validate's result have no errors,
// and with which MatchCount", without paths or Results. Validate returns
// that when the data is valid and otherwise runs the validators as before,
// so a result with errors is built by the unchanged code, and its errors
// (paths, messages, order) are the same.

package validate

import (
	"sync/atomic"

	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
)

// quickOff counts the DisableQuickCheck calls not yet undone.
var quickOff atomic.Int32

// DisableQuickCheck makes Validate run the validators on all data, as
// upstream does, until the returned function is called. It is for tests
// that compare the two.
func DisableQuickCheck() (restore func()) {
	quickOff.Add(1)
	return func() { quickOff.Add(-1) }
}

// QuickValidate is Validate's result if quickChecker can tell that it has
// no errors, and false if it finds one or cannot check this validator's
// schema, data or options itself.
func (s *SchemaValidator) QuickValidate(data interface{}) (*Result, bool) {
	if s == nil || s.validators != nil || !s.args.plain || Debug || quickOff.Load() != 0 || s.Schema != s.args.Schema ||
		!quickSchema(s.Schema) || !quickData(data) {
		return nil, false
	}
	q := quickChecker{root: s.args.Root, formats: s.args.KnownFormats}
	if m, ok := q.value(s.Schema, data); ok {
		return &Result{MatchCount: m}, true
	}
	return nil, false
}

// quickChecker holds what the validators of one walk share: the root
// schema they pass down, and the formats registry.
type quickChecker struct {
	root    interface{}
	formats strfmt.Registry

	// The last format name looked up in formats, and the answer.
	format                  string
	formatKnown, haveFormat bool
}

// knownFormat is formats.ContainsName(name), asked once for a run of
// strings with the same format (most have none): the registry takes a
// mutex that every goroutine validating shares.
func (q *quickChecker) knownFormat(name string) bool {
	if !q.haveFormat || name != q.format {
		q.format, q.formatKnown, q.haveFormat = name, q.formats.ContainsName(name), true
	}
	return q.formatKnown
}

// quickSchema reports whether quickChecker can check values against schema
// itself; for other schemas it runs the validators (quickChecker.slow).
func quickSchema(schema *spec.Schema) bool {
	return len(schema.AllOf) == 0 && len(schema.AnyOf) == 0 && len(schema.OneOf) == 0 && schema.Not == nil &&
		len(schema.Dependencies) == 0 && len(schema.PatternProperties) == 0 &&
		schema.AdditionalItems == nil && (schema.Items == nil || len(schema.Items.Schemas) == 0)
}

// quickData reports whether data is of one of the types decoded JSON has,
// the only ones quickChecker checks itself (others, such as json.Number,
// structs or pointers, are converted by Validate first).
func quickData(data interface{}) bool {
	switch data.(type) {
	case nil, map[string]interface{}, []interface{}, string, bool, int64, float64, int:
		return true
	}
	return false
}

// child is what NewSchemaValidator(schema, root, path, formats).Validate(data)
// gives for the property or item data, as objectValidator and
// schemaSliceValidator build it.
func (q *quickChecker) child(schema *spec.Schema, data interface{}) (matches int, valid bool) {
	if schema.Ref.String() != "" || !quickSchema(schema) || !quickData(data) {
		return q.slow(schema, data)
	}
	return q.value(schema, data)
}

// slow runs the validators, for schemas and values quickChecker does not
// handle (and panics where NewSchemaValidator panics).
func (q *quickChecker) slow(schema *spec.Schema, data interface{}) (matches int, valid bool) {
	sc := *schema // so that the callers' copies of property schemas stay on the stack
	r := NewSchemaValidator(&sc, q.root, "", q.formats).validateSlow(data)
	return r.MatchCount, r.IsValid()
}

// value is SchemaValidator.Validate's verdict and MatchCount for a schema
// that quickSchema accepts and data that quickData accepts. It follows
// validateLazily; each step notes the MatchCount that step adds to a valid
// result. It stops at the first error: the caller then runs the
// validators, which report them all.
func (q *quickChecker) value(schema *spec.Schema, data interface{}) (matches int, valid bool) {
	tv := typeValidator{Type: schema.Type, Nullable: schema.Nullable, Format: schema.Format, In: "body"}
	cv := basicCommonValidator{In: "body", Enum: schema.Enum}
	if data == nil {
		// Validate runs only the type and common validators on nil.
		if tv.typeError(nil) != nil || cv.Validate(nil) != nil {
			return 0, false
		}
		return 1, true
	}
	m := 0
	if len(schema.Type) > 0 || schema.Format != "" {
		if tv.typeError(data) != nil {
			return 0, false
		}
		m += 2 // the type validator's match, and Inc
	}
	m += 2 // schemaPropsValidator: nothing to check for this schema; its Inc, and Inc

	var sum int
	switch d := data.(type) {
	case string:
		sv := stringValidator{MaxLength: schema.MaxLength, MinLength: schema.MinLength, Pattern: schema.Pattern, In: "body"}
		if sv.Validate(data) != nil { // data, not d: boxing d again would allocate
			return 0, false
		}
		m++ // Inc
		if q.knownFormat(schema.Format) {
			if FormatOf("", "body", schema.Format, d, q.formats) != nil {
				return 0, false
			}
			m++ // Inc
		}
	case int64, float64, int:
		nv := numberValidatorFor("", "body", schema)
		if !nv.valid(data) {
			return 0, false
		}
		m += 2 // the number validator's Inc, and Inc
	case []interface{}:
		if sum, valid = q.slice(schema, d); !valid {
			return 0, false
		}
		m += sum + 2 // the items, the slice validator's Inc, and Inc
	}

	if len(schema.Enum) > 0 && cv.Validate(data) != nil {
		return 0, false
	}
	m++ // the common validator's Inc

	if d, ok := data.(map[string]interface{}); ok {
		if sum, valid = q.object(schema, d); !valid {
			return 0, false
		}
		m += sum + 1 // the properties, and Inc
	}
	return m + 1, true // Validate's last Inc
}

// slice is schemaSliceValidator.Validate's verdict, and the sum of its
// items' MatchCounts, for a schema without tuple items or additionalItems.
func (q *quickChecker) slice(schema *spec.Schema, d []interface{}) (sum int, valid bool) {
	if schema.Items != nil && schema.Items.Schema != nil {
		for _, e := range d {
			c, ok := q.child(schema.Items.Schema, e)
			if !ok {
				return 0, false
			}
			sum += c
		}
	}
	size := int64(len(d))
	if schema.MinItems != nil && size < *schema.MinItems {
		return 0, false
	}
	if schema.MaxItems != nil && size > *schema.MaxItems {
		return 0, false
	}
	if schema.UniqueItems && UniqueItems("", "body", d) != nil {
		return 0, false
	}
	return sum, true
}

// object is objectValidator.Validate's verdict, and the sum of its
// properties' MatchCounts, for a schema without patternProperties. The
// validator ranges over the schema's properties and looks each up in the
// object; ranging over the object's keys visits the same pairs.
func (q *quickChecker) object(schema *spec.Schema, d map[string]interface{}) (sum int, valid bool) {
	n := int64(len(d))
	if schema.MinProperties != nil && n < *schema.MinProperties {
		return 0, false
	}
	if schema.MaxProperties != nil && n > *schema.MaxProperties {
		return 0, false
	}
	addl := schema.AdditionalProperties
	noAddl := addl != nil && !addl.Allows
	for k, v := range d {
		c, ok, regular := q.property(schema, k, v)
		switch {
		case regular:
		case noAddl:
			return 0, false
		case addl != nil && addl.Schema != nil:
			c, ok = q.child(addl.Schema, v)
		default:
			continue
		}
		if !ok {
			return 0, false
		}
		sum += c
	}
	for _, k := range schema.Required {
		if _, ok := d[k]; !ok {
			return 0, false
		}
	}
	return sum, true
}

// property checks v against the schema of the property k if the schema
// has one. It is not part of object's loop so that the copy of the
// property's schema can stay on the stack (escape analysis moves a
// variable of a loop whose address reaches a recursive call to the heap).
func (q *quickChecker) property(schema *spec.Schema, k string, v interface{}) (matches int, valid, regular bool) {
	p, regular := schema.Properties[k]
	if !regular {
		return 0, false, false
	}
	matches, valid = q.child(&p, v)
	return matches, valid, true
}

// valid is whether numberValidator.Validate's result has no errors: the
// same checks, without its four Results.
func (n *numberValidator) valid(val interface{}) bool {
	if IsValueValidAgainstRange(val, n.Type, n.Format, "Checked", n.Path) != nil {
		return false
	}
	data := valueHelp.asFloat64(val)
	if n.MultipleOf != nil {
		if IsValueValidAgainstRange(*n.MultipleOf, n.Type, n.Format, "MultipleOf", n.Path) == nil {
			if MultipleOfNativeType(n.Path, n.In, val, *n.MultipleOf) != nil {
				return false
			}
		} else if MultipleOf(n.Path, n.In, data, *n.MultipleOf) != nil {
			return false
		}
	}
	if n.Maximum != nil {
		if IsValueValidAgainstRange(*n.Maximum, n.Type, n.Format, "Maximum boundary", n.Path) == nil {
			if MaximumNativeType(n.Path, n.In, val, *n.Maximum, n.ExclusiveMaximum) != nil {
				return false
			}
		} else if Maximum(n.Path, n.In, data, *n.Maximum, n.ExclusiveMaximum) != nil {
			return false
		}
	}
	if n.Minimum != nil {
		if IsValueValidAgainstRange(*n.Minimum, n.Type, n.Format, "Minimum boundary", n.Path) == nil {
			if MinimumNativeType(n.Path, n.In, val, *n.Minimum, n.ExclusiveMinimum) != nil {
				return false
			}
		} else if Minimum(n.Path, n.In, data, *n.Minimum, n.ExclusiveMinimum) != nil {
			return false
		}
	}
	return true
}
