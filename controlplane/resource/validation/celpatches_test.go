package validation

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"sigs.k8s.io/yaml"
)

// Tests of the session-5 CEL patches in third_party (third_party/README.md)
// that live here because third_party/upstream-tests.sh deletes every
// *_test.go under third_party.

// upstreamUnescape is k8s.io/apiserver/pkg/cel.Unescape as upstream wrote
// it, with a regexp; the patched one scans instead.
func upstreamUnescape(escaped string) (string, bool) {
	reserved := sets.NewString("true", "false", "null", "in", "as", "break", "const", "continue", "else",
		"for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while")
	ok := true
	escaped = regexp.MustCompile(`(_{2}[^_]+_{2})`).ReplaceAllStringFunc(escaped, func(s string) string {
		contents := s[2 : len(s)-2]
		switch contents {
		case "underscores":
			return "__"
		case "dot":
			return "."
		case "dash":
			return "-"
		case "slash":
			return "/"
		}
		if reserved.Has(contents) {
			if len(s) != len(escaped) {
				ok = false
			}
			return contents
		}
		ok = false
		return ""
	})
	if !ok {
		return "", false
	}
	return escaped, true
}

func TestCELUnescapeMatchesUpstream(t *testing.T) {
	parts := []string{"_", "__", "___", "a", "b", "dot", "dash", "slash", "underscores", "namespace", "in",
		"return", "x", "-", ".", "/", "é", "\xff", "true", "__namespace__", "__dot__"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b strings.Builder
		for k := rng.IntN(8); k >= 0; k-- {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		s := b.String()
		got, gotOK := apiservercel.Unescape(s)
		want, wantOK := upstreamUnescape(s)
		if got != want || gotOK != wantOK {
			t.Fatalf("Unescape(%q) = %q, %v; upstream %q, %v", s, got, gotOK, want, wantOK)
		}
	}
}

// celHTTPRoute is a CEL validator of the HTTPRoute CRD, built the way
// newCRDKind builds it.
func celHTTPRoute(t *testing.T) (*cel.Validator, *structuralschema.Structural) {
	t.Helper()
	b, err := os.ReadFile("crds/gateway.networking.k8s.io_httproutes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(b, crd); err != nil {
		t.Fatal(err)
	}
	for i := range crd.Spec.Versions {
		ver := &crd.Spec.Versions[i]
		if ver.Name != "v1" {
			continue
		}
		internal := &apiextensions.CustomResourceValidation{}
		if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(ver.Schema, internal, nil); err != nil {
			t.Fatal(err)
		}
		st, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
		if err != nil {
			t.Fatal(err)
		}
		st = st.DeepCopy()
		if err := structuraldefaulting.PruneDefaults(st); err != nil {
			t.Fatal(err)
		}
		return cel.NewValidator(st, true, celconfig.PerCallLimit), st
	}
	t.Fatal("no v1")
	return nil, nil
}

// The patched evaluation reuses state between evaluations (cost trackers,
// their stacks, field paths) and remembers converted values within one.
// Whatever a validator has evaluated before must not change what it says
// about an object: a validator that has just been built (nothing pooled)
// and one that has validated hundreds of other objects give the same
// errors and the same remaining budget (the sum of every rule's cost) for
// each of a few hundred randomly broken routes.
func TestCELSameVerdictAndCostWarmOrCold(t *testing.T) {
	warm, st := celHTTPRoute(t)
	rng := rand.New(rand.NewPCG(3, 4))
	objs := routes(t, 30)
	var broken []any
	for _, o := range objs {
		structuraldefaulting.Default(o, st)
		broken = append(broken, o)
		for range 2 {
			broken = append(broken, breakRandomly(rng, runtime.DeepCopyJSONValue(o)))
		}
	}
	outcome := func(v *cel.Validator, obj any) string {
		errs, remaining := v.Validate(context.TODO(), nil, st, obj, nil, celconfig.RuntimeCELCostBudget)
		return fmt.Sprintf("%s remaining %d", sortedCELErrors(errs), remaining)
	}
	for _, o := range broken { // warm up: fill the pools with used state
		outcome(warm, o)
	}
	withErrors := 0
	for i, o := range broken {
		cold, _ := celHTTPRoute(t)
		want := outcome(cold, o)
		if got := outcome(warm, o); got != want {
			t.Fatalf("object %d: warm validator %s, a new one %s", i, got, want)
		}
		if !strings.HasPrefix(want, " remaining") {
			withErrors++
		}
	}
	if withErrors == 0 {
		t.Fatal("no object broke a rule: the comparison saw only successes")
	}
}

func sortedCELErrors(errs field.ErrorList) string {
	return strings.Join(sortedFieldErrors(errs), "; ")
}

var breakValues = []any{"nope", "/a//b", "/x/../y", "%2f", "", "/", "RequestRedirect", "URLRewrite", "Service",
	"PathPrefix", "Exact", "RegularExpression", "ReplacePrefixMatch", "__x__", int64(0), int64(70000), true, nil}

// breakRandomly changes, deletes or adds a few fields deep in v.
func breakRandomly(rng *rand.Rand, v any) any {
	for range 1 + rng.IntN(3) {
		v = breakOne(rng, v, 0)
	}
	return v
}

func breakOne(rng *rand.Rand, v any, depth int) any {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(keys) == 0 || depth > 0 && rng.IntN(5) == 0 {
			names := []string{"type", "group", "kind", "namespace", "sectionName", "port", "path", "value", "name"}
			t[names[rng.IntN(len(names))]] = breakValues[rng.IntN(len(breakValues))]
			return t
		}
		k := keys[rng.IntN(len(keys))]
		if depth > 1 && rng.IntN(6) == 0 {
			delete(t, k)
			return t
		}
		t[k] = breakOne(rng, t[k], depth+1)
		return t
	case []any:
		if len(t) == 0 {
			return t
		}
		if rng.IntN(4) == 0 {
			return append(t, runtime.DeepCopyJSONValue(t[rng.IntN(len(t))]))
		}
		i := rng.IntN(len(t))
		t[i] = breakOne(rng, t[i], depth+1)
		return t
	default:
		return breakValues[rng.IntN(len(breakValues))]
	}
}
