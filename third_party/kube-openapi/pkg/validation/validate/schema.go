// Copyright 2015 go-swagger maintainers
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//    http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package validate

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/go-openapi/swag"
	"k8s.io/kube-openapi/pkg/validation/errors"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
)

var (
	specSchemaType = reflect.TypeOf(&spec.Schema{})
	//specItemsType     = reflect.TypeOf(&spec.Items{})
)

// SchemaValidator validates data against a JSON schema
type SchemaValidator struct {
	Path         string
	in           string
	Schema       *spec.Schema
	validators   []ValueValidator
	Root         interface{}
	KnownFormats strfmt.Registry
	Options      SchemaValidatorOptions

	args validatorArgs // PATCHED: see NewSchemaValidator
}

// AgainstSchema validates the specified data against the provided schema, using a registry of supported formats.
//
// When no pre-parsed *spec.Schema structure is provided, it uses a JSON schema as default. See example.
func AgainstSchema(schema *spec.Schema, data interface{}, formats strfmt.Registry, options ...Option) error {
	res := NewSchemaValidator(schema, nil, "", formats, options...).Validate(data)
	if res.HasErrors() {
		return errors.CompositeValidationError(res.Errors...)
	}
	return nil
}

// NewSchemaValidator creates a new schema validator.
//
// Panics if the provided schema is invalid.
func NewSchemaValidator(schema *spec.Schema, rootSchema interface{}, root string, formats strfmt.Registry, options ...Option) *SchemaValidator {
	if schema == nil {
		return nil
	}

	if rootSchema == nil {
		rootSchema = schema
	}

	if ref := schema.Ref.String(); ref != "" {
		panic(fmt.Sprintf("schema references not supported: %s", ref))
	}

	s := &SchemaValidator{
		Path:         root,
		in:           "body",
		Schema:       schema,
		Root:         rootSchema,
		KnownFormats: formats,
		Options:      SchemaValidatorOptions{}}
	for _, o := range options {
		o(&s.Options)
	}

	// PATCHED: Validate may check the data itself (quickChecker) only
	// where the validators it would build are the default ones.
	plain := s.Options.NewValidatorForIndex == nil && s.Options.NewValidatorForField == nil

	// PATCHED: the methods these replaced ignore their receiver; package
	// functions need no closure allocated per validator.
	if s.Options.NewValidatorForIndex == nil {
		s.Options.NewValidatorForIndex = newValidatorForIndex
	}
	if s.Options.NewValidatorForField == nil {
		s.Options.NewValidatorForField = newValidatorForField
	}

	// PATCHED (third_party/README.md): a validator is built for every
	// value validated, and it built its eight value validators up front,
	// most of which do not apply to the value's kind. Validate now builds
	// the ones that apply, on the stack, from the same arguments. Schemas
	// with allOf, anyOf, oneOf or not still build them here, as before:
	// their sub-validators can panic on construction, and schemaProps'
	// SetPath reaches them through copies.
	s.args = validatorArgs{Path: s.Path, in: s.in, Schema: s.Schema, Root: s.Root, KnownFormats: s.KnownFormats, Options: s.Options, plain: plain}
	if len(schema.AllOf) > 0 || len(schema.AnyOf) > 0 || len(schema.OneOf) > 0 || schema.Not != nil {
		s.buildValidators()
	}
	return s
}

// validatorArgs are the SchemaValidator fields its value validators are
// built from, as they were when NewSchemaValidator returned (PATCHED).
type validatorArgs struct {
	Path         string
	in           string
	Schema       *spec.Schema
	Root         interface{}
	KnownFormats strfmt.Registry
	Options      SchemaValidatorOptions

	plain bool // no NewValidatorForIndex or NewValidatorForField option
}

// buildValidators is what NewSchemaValidator did before it was PATCHED.
func (s *SchemaValidator) buildValidators() {
	a := &s.args
	typ, str, format, number := a.typeValidator(), a.stringValidator(), a.formatValidator(), a.numberValidator()
	slice, common, object := a.sliceValidator(), a.commonValidator(), a.objectValidator()
	props := &schemaPropsValidator{}
	a.schemaPropsValidator(props)
	s.validators = []ValueValidator{&typ, props, &str, &format, &number, &slice, &common, &object}
}

// validateLazily is the loop over s.validators in Validate for a validator
// that has not built them: each one that applies is built and run in the
// same order (PATCHED).
func (s *SchemaValidator) validateLazily(d interface{}, kind reflect.Kind, result *Result) {
	a := &s.args
	if v := a.typeValidator(); v.Applies(s.Schema, kind) {
		if r := v.typeError(d); r != nil {
			result.Merge(r)
		} else {
			result.MatchCount++ // what merging Validate's Result adds
		}
		result.Inc()
	} else {
		notApplied((*typeValidator)(nil), kind)
	}
	var props schemaPropsValidator
	a.schemaPropsValidator(&props)
	if props.Applies(s.Schema, kind) {
		result.Merge(props.Validate(d))
		result.Inc()
	} else {
		notApplied((*schemaPropsValidator)(nil), kind)
	}
	if v := a.stringValidator(); v.Applies(s.Schema, kind) {
		result.Merge(v.Validate(d))
		result.Inc()
	} else {
		notApplied((*stringValidator)(nil), kind)
	}
	if v := a.formatValidator(); v.Applies(s.Schema, kind) {
		result.Merge(v.Validate(d))
		result.Inc()
	} else {
		notApplied((*formatValidator)(nil), kind)
	}
	if v := a.numberValidator(); v.Applies(s.Schema, kind) {
		result.Merge(v.Validate(d))
		result.Inc()
	} else {
		notApplied((*numberValidator)(nil), kind)
	}
	if v := a.sliceValidator(); v.Applies(s.Schema, kind) {
		result.Merge(v.Validate(d))
		result.Inc()
	} else {
		notApplied((*schemaSliceValidator)(nil), kind)
	}
	if v := a.commonValidator(); v.Applies(s.Schema, kind) {
		result.Merge(v.Validate(d))
		result.Inc()
	} else {
		notApplied((*basicCommonValidator)(nil), kind)
	}
	if v := a.objectValidator(); v.Applies(s.Schema, kind) {
		result.Merge(v.Validate(d))
		result.Inc()
	} else {
		notApplied((*objectValidator)(nil), kind)
	}
}

func notApplied(v ValueValidator, kind reflect.Kind) {
	if Debug {
		debugLog("%T does not apply for %v", v, kind)
	}
}

func newValidatorForField(field string, schema *spec.Schema, rootSchema interface{}, root string, formats strfmt.Registry, opts ...Option) ValueValidator {
	return NewSchemaValidator(schema, rootSchema, root, formats, opts...)
}

func newValidatorForIndex(index int, schema *spec.Schema, rootSchema interface{}, root string, formats strfmt.Registry, opts ...Option) ValueValidator {
	return NewSchemaValidator(schema, rootSchema, root, formats, opts...)
}

func (s *SchemaValidator) NewValidatorForField(field string, schema *spec.Schema, rootSchema interface{}, root string, formats strfmt.Registry, opts ...Option) ValueValidator {
	return NewSchemaValidator(schema, rootSchema, root, formats, opts...)
}

func (s *SchemaValidator) NewValidatorForIndex(index int, schema *spec.Schema, rootSchema interface{}, root string, formats strfmt.Registry, opts ...Option) ValueValidator {
	return NewSchemaValidator(schema, rootSchema, root, formats, opts...)
}

// SetPath sets the path for this schema validator
func (s *SchemaValidator) SetPath(path string) {
	if s.validators == nil { // PATCHED: built lazily otherwise
		s.buildValidators()
	}
	s.Path = path
	for _, v := range s.validators {
		v.SetPath(path)
	}
}

// Applies returns true when this schema validator applies
func (s *SchemaValidator) Applies(source interface{}, kind reflect.Kind) bool {
	_, ok := source.(*spec.Schema)
	return ok
}

// Validate validates the data against the schema
func (s *SchemaValidator) Validate(data interface{}) *Result {
	// PATCHED (third_party/README.md, schema_quick.go): valid data, checked
	// without the validators, gets the result they would give it.
	if r, ok := s.QuickValidate(data); ok {
		return r
	}
	return s.validateSlow(data)
}

// validateSlow is what Validate was before it was PATCHED.
func (s *SchemaValidator) validateSlow(data interface{}) *Result {
	result := new(Result)
	if s == nil {
		return result
	}

	if data == nil {
		if s.validators == nil { // PATCHED: see validateLazily
			tv, cv := s.args.typeValidator(), s.args.commonValidator()
			result.Merge(tv.Validate(data))
			result.Merge(cv.Validate(data))
			return result
		}
		result.Merge(s.validators[0].Validate(data)) // type validator
		result.Merge(s.validators[6].Validate(data)) // common validator
		return result
	}

	tpe := reflect.TypeOf(data)
	kind := tpe.Kind()
	for kind == reflect.Ptr {
		tpe = tpe.Elem()
		kind = tpe.Kind()
	}
	d := data

	if kind == reflect.Struct {
		// NOTE: since reflect retrieves the true nature of types
		// this means that all strfmt types passed here (e.g. strfmt.Datetime, etc..)
		// are converted here to strings, and structs are systematically converted
		// to map[string]interface{}.
		d = swag.ToDynamicJSON(data)
	}

	// TODO: this part should be handed over to type validator
	// Handle special case of json.Number data (number marshalled as string)
	isnumber := s.Schema.Type.Contains(numberType) || s.Schema.Type.Contains(integerType)
	if num, ok := data.(json.Number); ok && isnumber {
		if s.Schema.Type.Contains(integerType) { // avoid lossy conversion
			in, erri := num.Int64()
			if erri != nil {
				result.AddErrors(invalidTypeConversionMsg(s.Path, erri))
				result.Inc()
				return result
			}
			d = in
		} else {
			nf, errf := num.Float64()
			if errf != nil {
				result.AddErrors(invalidTypeConversionMsg(s.Path, errf))
				result.Inc()
				return result
			}
			d = nf
		}

		tpe = reflect.TypeOf(d)
		kind = tpe.Kind()
	}

	if s.validators == nil { // PATCHED
		s.validateLazily(d, kind, result)
	}
	for _, v := range s.validators {
		if !v.Applies(s.Schema, kind) {
			if Debug { // PATCHED: the arguments would be boxed on every call
				debugLog("%T does not apply for %v", v, kind)
			}
			continue
		}

		err := v.Validate(d)
		result.Merge(err)
		result.Inc()
	}
	result.Inc()
	return result
}

func (s *validatorArgs) typeValidator() typeValidator { // PATCHED: a value, not a pointer
	return typeValidator{Type: s.Schema.Type, Nullable: s.Schema.Nullable, Format: s.Schema.Format, In: s.in, Path: s.Path}
}

func (s *validatorArgs) commonValidator() basicCommonValidator { // PATCHED: a value, not a pointer
	return basicCommonValidator{
		Path: s.Path,
		In:   s.in,
		Enum: s.Schema.Enum,
	}
}

func (s *validatorArgs) sliceValidator() schemaSliceValidator { // PATCHED: a value, not a pointer
	return schemaSliceValidator{
		Path:            s.Path,
		In:              s.in,
		MaxItems:        s.Schema.MaxItems,
		MinItems:        s.Schema.MinItems,
		UniqueItems:     s.Schema.UniqueItems,
		AdditionalItems: s.Schema.AdditionalItems,
		Items:           s.Schema.Items,
		Root:            s.Root,
		KnownFormats:    s.KnownFormats,
		Options:         s.Options,
	}
}

func (s *validatorArgs) numberValidator() numberValidator { // PATCHED: a value, not a pointer
	return numberValidatorFor(s.Path, s.in, s.Schema)
}

// numberValidatorFor is numberValidator taking the schema itself, so that
// quickChecker's schemas stay on its stack (PATCHED).
func numberValidatorFor(path, in string, schema *spec.Schema) numberValidator {
	var typeName string
	var format string

	// We only pass the format to the validator if it is valid for the resolved type
	// and the type is unambiguous (exactly one type specified).
	// This prevents the validator from enforcing ranges for mismatched formats
	// (e.g. enforcing "int32" range on a "number" type) or ambiguous types.
	if len(schema.Type) == 1 {
		switch schema.Type[0] {
		case integerType:
			typeName = integerType
			switch schema.Format {
			case integerFormatInt32, integerFormatInt64:
				format = schema.Format
			}
		case numberType:
			typeName = numberType
			switch schema.Format {
			case numberFormatFloat, numberFormatDouble:
				format = schema.Format
			}
		}
	}
	return numberValidator{
		Path:             path,
		In:               in,
		Default:          schema.Default,
		MultipleOf:       schema.MultipleOf,
		Maximum:          schema.Maximum,
		ExclusiveMaximum: schema.ExclusiveMaximum,
		Minimum:          schema.Minimum,
		ExclusiveMinimum: schema.ExclusiveMinimum,
		Type:             typeName,
		Format:           format,
	}
}

func (s *validatorArgs) stringValidator() stringValidator { // PATCHED: a value, not a pointer
	return stringValidator{
		Path:      s.Path,
		In:        s.in,
		MaxLength: s.Schema.MaxLength,
		MinLength: s.Schema.MinLength,
		Pattern:   s.Schema.Pattern,
	}
}

func (s *validatorArgs) formatValidator() formatValidator { // PATCHED: a value, not a pointer
	return formatValidator{
		Path:         s.Path,
		In:           s.in,
		Format:       s.Schema.Format,
		KnownFormats: s.KnownFormats,
	}
}

func (s *validatorArgs) schemaPropsValidator(dst *schemaPropsValidator) { // PATCHED: fills dst
	sch := s.Schema
	initSchemaPropsValidator(dst, s.Path, s.in, sch.AllOf, sch.OneOf, sch.AnyOf, sch.Not, sch.Dependencies, s.Root, s.KnownFormats, s.Options.Options()...)
}

func (s *validatorArgs) objectValidator() objectValidator { // PATCHED: a value, not a pointer
	return objectValidator{
		Path:                 s.Path,
		In:                   s.in,
		MaxProperties:        s.Schema.MaxProperties,
		MinProperties:        s.Schema.MinProperties,
		Required:             s.Schema.Required,
		Properties:           s.Schema.Properties,
		AdditionalProperties: s.Schema.AdditionalProperties,
		PatternProperties:    s.Schema.PatternProperties,
		Root:                 s.Root,
		KnownFormats:         s.KnownFormats,
		Options:              s.Options,
	}
}
