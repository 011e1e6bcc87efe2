package validation

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/cel/common"
	celopenapi "k8s.io/apiserver/pkg/cel/openapi"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
)

// The patched kube-openapi SchemaValidator.Validate checks valid data
// without building its validators (third_party/README.md). These tests
// compare its results, errors and MatchCount (which anyOf and oneOf use to
// pick the errors to report), with the validators' on every value.

// openAPIOutcome is a Validate result, or its panic, in comparable form.
type openAPIOutcome struct {
	errors     []string // sorted: objectValidator reports in map order
	matchCount int
	panicked   string
}

func validateOpenAPI(schema *spec.Schema, data any, quick bool) (out openAPIOutcome) {
	if !quick {
		defer validate.DisableQuickCheck()()
	}
	defer func() {
		if r := recover(); r != nil {
			out.panicked = fmt.Sprint(r)
		}
	}()
	r := validate.NewSchemaValidator(schema, nil, "", strfmt.Default).Validate(data)
	for _, e := range r.Errors {
		out.errors = append(out.errors, e.Error())
	}
	slices.Sort(out.errors)
	out.matchCount = r.MatchCount
	return out
}

func sameOutcome(t *testing.T, name string, schema *spec.Schema, data any) (valid bool) {
	t.Helper()
	quick, slow := validateOpenAPI(schema, data, true), validateOpenAPI(schema, data, false)
	if quick.panicked != slow.panicked || quick.matchCount != slow.matchCount || !slices.Equal(quick.errors, slow.errors) {
		s, _ := json.Marshal(schema)
		d, _ := json.Marshal(data)
		t.Errorf("%s: schema %s\ndata %s\nquick %+v\nslow  %+v", name, s, d, quick, slow)
	}
	return slow.panicked == "" && len(slow.errors) == 0
}

// The CRDs' schemas, on the gateway-api examples and the benchmark's routes,
// each valid and randomly broken.
func TestOpenAPIQuickCheckOnCRDs(t *testing.T) {
	schemas := crdOpenAPISchemas(t)
	valid, n := 0, 0
	for i, c := range brokenObjects(t) {
		for j, obj := range []map[string]any{c.obj, c.old} {
			u := &unstructured.Unstructured{Object: obj}
			gvk := u.GroupVersionKind()
			s := schemas[gvk.Group+"/"+gvk.Version+"/"+gvk.Kind]
			if s == nil {
				continue // the mutation broke apiVersion or kind
			}
			n++
			if sameOutcome(t, fmt.Sprintf("case %d/%d %s", i, j, gvk.Kind), s, obj) {
				valid++
			}
		}
	}
	t.Logf("%d of %d objects valid", valid, n)
	if n < 700 || valid < n/4 || valid > n*3/4 {
		t.Errorf("%d of %d objects valid; the comparison needs many of both outcomes", valid, n)
	}
}

// crdOpenAPISchemas are the CRDs' OpenAPI schemas by group/version/kind.
func crdOpenAPISchemas(t *testing.T) map[string]*spec.Schema {
	crds, err := loadCRDs()
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*spec.Schema{}
	for _, crd := range crds {
		for i := range crd.Spec.Versions {
			ver := &crd.Spec.Versions[i]
			internal := &apiextensions.CustomResourceValidation{}
			if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(ver.Schema, internal, nil); err != nil {
				t.Fatal(err)
			}
			_, s, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
			if err != nil {
				t.Fatal(err)
			}
			schemas[crd.Spec.Group+"/"+ver.Name+"/"+crd.Spec.Names.Kind] = s
		}
	}
	return schemas
}

// The patched RatchetingSchemaValidator.ValidateUpdate returns the plain
// result for a new value without errors; ratcheting only turns errors into
// warnings, so the walk gives the same. This compares the two on updates
// from the valid originals to the broken objects, to themselves, and to
// copies with a list item duplicated, and back.
func TestRatchetingQuickCheckOnCRDs(t *testing.T) {
	schemas := crdOpenAPISchemas(t)
	valid, n := 0, 0
	for i, c := range brokenObjects(t) {
		u := &unstructured.Unstructured{Object: c.old}
		gvk := u.GroupVersionKind()
		s := schemas[gvk.Group+"/"+gvk.Version+"/"+gvk.Kind]
		if s == nil {
			continue // a core kind
		}
		dup := runtime.DeepCopyJSON(c.old)
		duplicateAnItem(rand.New(rand.NewPCG(17, uint64(i))), dup)
		for j, pair := range [][2]map[string]any{{c.obj, c.old}, {c.old, c.old}, {dup, c.old}, {c.old, c.obj}} {
			newObj, oldObj := pair[0], pair[1]
			for _, explicit := range []bool{false, true} {
				n++
				quick, slow := validateUpdateOpenAPI(s, newObj, oldObj, explicit, true), validateUpdateOpenAPI(s, newObj, oldObj, explicit, false)
				if !reflect.DeepEqual(quick, slow) {
					t.Errorf("case %d/%d %s (explicit correlation %t):\nquick %+v\nslow  %+v", i, j, gvk.Kind, explicit, quick, slow)
				}
				if len(slow.errors) == 0 {
					valid++
				}
			}
		}
	}
	t.Logf("%d of %d updates valid", valid, n)
	if valid < n/4 || valid > n*9/10 {
		t.Errorf("%d of %d updates valid; the comparison needs many of both outcomes", valid, n)
	}
}

type ratchetingOutcome struct {
	errors, warnings []string
	matchCount       int
}

func validateUpdateOpenAPI(s *spec.Schema, newObj, oldObj map[string]any, explicit, quick bool) ratchetingOutcome {
	if !quick {
		defer validate.DisableQuickCheck()()
	}
	var correlation *common.CorrelatedObject
	if explicit {
		correlation = common.NewCorrelatedObject(newObj, oldObj, &celopenapi.Schema{Schema: s})
	}
	r := apiservervalidation.NewRatchetingSchemaValidator(s, nil, "", strfmt.Default).ValidateUpdate(newObj, oldObj, apiservervalidation.WithRatcheting(correlation))
	out := ratchetingOutcome{matchCount: r.MatchCount}
	for _, e := range r.Errors {
		out.errors = append(out.errors, e.Error())
	}
	for _, e := range r.Warnings {
		out.warnings = append(out.warnings, e.Error())
	}
	slices.Sort(out.errors)
	slices.Sort(out.warnings)
	return out
}

// The patched listtype.ValidateListSetsAndMaps looks for duplicates
// without field paths first; it must find them where the walk with paths
// does, and return the same errors.
func TestListTypeQuickCheckOnCRDs(t *testing.T) {
	v := validator(t)
	withErrors, n := 0, 0
	for i, c := range brokenObjects(t) {
		dup := runtime.DeepCopyJSON(c.old)
		duplicateAnItem(rand.New(rand.NewPCG(11, uint64(i))), dup)
		for j, obj := range []map[string]any{c.obj, c.old, dup} {
			k, ok := v.kinds[(&unstructured.Unstructured{Object: obj}).GroupVersionKind()].(*crdKind)
			if !ok {
				continue // the mutation broke apiVersion or kind
			}
			n++
			quick := sortedFieldErrors(structurallisttype.ValidateListSetsAndMaps(nil, k.structural, obj))
			restore := structurallisttype.DisableQuickCheck()
			slow := sortedFieldErrors(structurallisttype.ValidateListSetsAndMaps(nil, k.structural, obj))
			restore()
			if !slices.Equal(quick, slow) {
				t.Errorf("case %d/%d %s: quick %q, slow %q", i, j, k.gvk.Kind, quick, slow)
			}
			if len(slow) > 0 {
				withErrors++
			}
		}
	}
	t.Logf("%d of %d objects with duplicates", withErrors, n)
	if withErrors < n/20 {
		t.Errorf("only %d of %d objects with duplicates; the comparison needs more", withErrors, n)
	}
}

// duplicateAnItem appends a copy of an item of one of obj's lists to it.
func duplicateAnItem(rng *rand.Rand, obj map[string]any) {
	type list struct {
		items []any
		set   func([]any)
	}
	var lists []list
	var walk func(parent any)
	walk = func(parent any) {
		switch p := parent.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(p)) {
				if l, ok := p[k].([]any); ok && len(l) > 0 {
					lists = append(lists, list{l, func(n []any) { p[k] = n }})
				}
				walk(p[k])
			}
		case []any:
			for _, v := range p {
				walk(v)
			}
		}
	}
	walk(obj)
	if len(lists) == 0 {
		return
	}
	l := lists[rng.IntN(len(lists))]
	l.set(append(l.items, runtime.DeepCopyJSONValue(l.items[rng.IntN(len(l.items))])))
}

func sortedFieldErrors(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	slices.Sort(out)
	return out
}

// Random schemas, with the keywords the check handles itself and those it
// leaves to the validators, on random data that mostly fits them.
func TestOpenAPIQuickCheckRandom(t *testing.T) {
	valid, n := 0, 20000
	for i := range n {
		rng := rand.New(rand.NewPCG(7, uint64(i)))
		s := randomSchema(rng, 3)
		data := randomData(rng, s, 3)
		if sameOutcome(t, fmt.Sprintf("case %d", i), s, data) {
			valid++
		}
	}
	t.Logf("%d of %d random values valid", valid, n)
	if valid < n/5 || valid > n*4/5 {
		t.Errorf("%d of %d random values valid; the generators need retuning", valid, n)
	}
}

func ptrTo[T any](v T) *T { return &v }

func randomSchema(rng *rand.Rand, depth int) *spec.Schema {
	s := &spec.Schema{}
	types := []string{"object", "array", "string", "integer", "number", "boolean", ""}
	typ := types[rng.IntN(len(types))]
	if depth == 0 && (typ == "object" || typ == "array") {
		typ = "string"
	}
	if typ != "" {
		s.Type = spec.StringOrArray{typ}
	}
	s.Nullable = rng.IntN(8) == 0
	switch typ {
	case "object":
		s.Properties = map[string]spec.Schema{}
		for i := range rng.IntN(4) {
			s.Properties[fmt.Sprint("p", i)] = *randomSchema(rng, depth-1)
		}
		switch rng.IntN(5) {
		case 0:
			s.AdditionalProperties = &spec.SchemaOrBool{Allows: false}
		case 1:
			s.AdditionalProperties = &spec.SchemaOrBool{Allows: true, Schema: randomSchema(rng, depth-1)}
		case 2:
			s.AdditionalProperties = &spec.SchemaOrBool{Allows: true}
		}
		if len(s.Properties) > 0 && rng.IntN(2) == 0 {
			s.Required = []string{"p0"}
		}
		if rng.IntN(6) == 0 {
			s.MaxProperties = ptrTo(int64(rng.IntN(3)))
		}
		if rng.IntN(6) == 0 {
			s.MinProperties = ptrTo(int64(1))
		}
		if rng.IntN(12) == 0 {
			s.PatternProperties = map[string]spec.Schema{"^x": *randomSchema(rng, depth-1)}
		}
		if rng.IntN(12) == 0 {
			s.Dependencies = spec.Dependencies{"p0": spec.SchemaOrStringArray{Property: []string{"p1"}}}
		}
	case "array":
		s.Items = &spec.SchemaOrArray{Schema: randomSchema(rng, depth-1)}
		if rng.IntN(5) == 0 {
			s.MaxItems = ptrTo(int64(rng.IntN(3)))
		}
		if rng.IntN(5) == 0 {
			s.MinItems = ptrTo(int64(1))
		}
		s.UniqueItems = rng.IntN(5) == 0
	case "string":
		if rng.IntN(4) == 0 {
			s.MaxLength = ptrTo(int64(rng.IntN(6)))
		}
		if rng.IntN(4) == 0 {
			s.MinLength = ptrTo(int64(1))
		}
		if rng.IntN(4) == 0 {
			s.Pattern = "^[a-z0-9-]+$"
		}
		s.Format = []string{"", "", "", "date-time", "uuid", "hostname", "byte", "int32", "unknown-format"}[rng.IntN(9)]
		if rng.IntN(4) == 0 {
			s.Enum = []any{"abc", "a-1"}
		}
	case "integer", "number":
		s.Format = []string{"", "", "int32", "int64", "float", "double"}[rng.IntN(6)]
		if rng.IntN(3) == 0 {
			s.Minimum = ptrTo(float64(rng.IntN(3)))
			s.ExclusiveMinimum = rng.IntN(2) == 0
		}
		if rng.IntN(3) == 0 {
			s.Maximum = ptrTo(float64(70000))
		}
		if rng.IntN(5) == 0 {
			s.MultipleOf = ptrTo(float64(2))
		}
		if rng.IntN(5) == 0 {
			s.Enum = []any{int64(1), float64(2), int64(4)}
		}
	case "boolean":
		if rng.IntN(4) == 0 {
			s.Enum = []any{true}
		}
	}
	if depth > 0 && rng.IntN(8) == 0 {
		branches := []spec.Schema{*randomSchema(rng, depth-1), *randomSchema(rng, depth-1)}
		switch rng.IntN(4) {
		case 0:
			s.AnyOf = branches
		case 1:
			s.OneOf = branches
		case 2:
			s.AllOf = branches
		case 3:
			s.Not = &branches[0]
		}
	}
	return s
}

// randomData mostly fits s; now and then it is of another type, or of a
// type that decoded JSON does not have.
func randomData(rng *rand.Rand, s *spec.Schema, depth int) any {
	if rng.IntN(10) == 0 || depth < 0 {
		others := []any{nil, "x", int64(3), float64(1.5), true, map[string]any{}, []any{}, json.Number("12"), int32(5), 7, float32(2.5)}
		return others[rng.IntN(len(others))]
	}
	typ := ""
	if len(s.Type) > 0 {
		typ = s.Type[0]
	}
	switch typ {
	case "object":
		m := map[string]any{}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if rng.IntN(4) > 0 {
				p := s.Properties[name]
				m[name] = randomData(rng, &p, depth-1)
			}
		}
		if rng.IntN(4) == 0 {
			extra := &spec.Schema{}
			if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
				extra = s.AdditionalProperties.Schema
			}
			m[[]string{"extra", "xtra"}[rng.IntN(2)]] = randomData(rng, extra, depth-1)
		}
		return m
	case "array":
		items := &spec.Schema{}
		if s.Items != nil && s.Items.Schema != nil {
			items = s.Items.Schema
		}
		a := []any{}
		for range rng.IntN(4) {
			a = append(a, randomData(rng, items, depth-1))
		}
		return a
	case "string":
		return []string{"abc", "a-1", "", "ABC", "2026-11-26T05:00:00Z", "123e4567-e89b-12d3-a456-426614174000", "example.com", "aGVsbG8=", "toolongvalue"}[rng.IntN(9)]
	case "integer":
		return []int64{0, 1, 2, 4, 70001, 1 << 33, -1}[rng.IntN(7)]
	case "number":
		return []float64{0, 1, 2.5, 4, 1e40, -1}[rng.IntN(6)]
	case "boolean":
		return rng.IntN(2) == 0
	}
	return randomData(rng, &spec.Schema{SchemaProps: spec.SchemaProps{Type: spec.StringOrArray{[]string{"object", "array", "string", "integer", "boolean"}[rng.IntN(5)]}}}, depth-1)
}
