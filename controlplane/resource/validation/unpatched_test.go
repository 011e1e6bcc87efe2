package validation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"

	gocel "github.com/google/cel-go/cel"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/kube-openapi/pkg/validation/validate"
)

var update = flag.Bool("update", false, "rewrite testdata/verdicts.json (only from a build without the third_party replaces)")

const verdictsFile = "testdata/verdicts.json"

// patchedFuncs are a function of each module that go.mod replaces with a
// patched copy in third_party.
var patchedFuncs = map[string]any{
	"github.com/google/cel-go":       gocel.NewEnv,
	"k8s.io/apiextensions-apiserver": cel.NewValidator,
	"k8s.io/apiserver":               apiservercel.Unescape,
	"k8s.io/kube-openapi":            validate.NewSchemaValidator,
}

// replacedModules lists the modules of patchedFuncs that this binary was
// built from a local copy of: their source files are not in the module
// cache, whose paths carry "@version". (Test binaries have no module list
// in their build info.)
func replacedModules(t *testing.T) []string {
	t.Helper()
	var out []string
	for mod, fn := range patchedFuncs {
		f := goruntime.FuncForPC(reflect.ValueOf(fn).Pointer())
		if f == nil {
			t.Fatalf("no function of %s", mod)
		}
		if file, _ := f.FileLine(f.Entry()); !strings.Contains(file, "@") {
			out = append(out, mod)
		}
	}
	slices.Sort(out)
	return out
}

// verdict is what the Validator made of one randomly broken object.
type verdict struct {
	Case   int    `json:"case"`
	Kind   string `json:"kind"`
	Create string `json:"create"`
	Update string `json:"update"`
}

// The third_party patches change how often values are allocated, never a
// result. This compares the verdicts (errors with field paths and messages,
// unknown fields, the stored object) of this build on a few hundred randomly
// broken objects with those of the unpatched upstream modules, recorded in
// testdata/verdicts.json by a build without the replace lines:
//
//	sed '/=> .\/third_party\//d' go.mod > /tmp/unpatched.mod && cp go.sum /tmp/unpatched.sum
//	go test -modfile=/tmp/unpatched.mod ./controlplane/resource/validation -run TestVerdictsMatchUnpatched -update
func TestVerdictsMatchUnpatched(t *testing.T) {
	got := randomVerdicts(t)
	if *update {
		if r := replacedModules(t); len(r) > 0 {
			t.Fatalf("-update needs the unpatched modules; this build replaces %v (see the test's comment)", r)
		}
		data, err := json.MarshalIndent(got, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(verdictsFile, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(verdictsFile)
	if err != nil {
		t.Fatal(err)
	}
	var want []verdict
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Fatalf("%d verdicts recorded, %d computed: regenerate %s", len(want), len(got), verdictsFile)
	}
	rejected := 0
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("case %d (%s):\n got create %s\n     update %s\nwant create %s\n     update %s", i, got[i].Kind, got[i].Create, got[i].Update, want[i].Create, want[i].Update)
		}
		if strings.HasPrefix(got[i].Create, "errors:") {
			rejected++
		}
	}
	// The comparison means little unless both outcomes are common.
	if rejected < len(got)/10 || rejected > len(got)*9/10 {
		t.Errorf("%d of %d broken objects rejected on create; the mutations need retuning", rejected, len(got))
	}
}

// brokenCase is a randomly broken copy of a valid object, and the valid
// object as stored, for an update to replace.
type brokenCase struct {
	kind string
	obj  map[string]any
	old  map[string]any
}

// brokenObjects breaks copies of the gateway-api examples and of the
// benchmark's routes at random (seeded: the same objects every run).
func brokenObjects(t *testing.T) []brokenCase {
	v := validator(t)
	var bases []map[string]any
	for _, m := range readManifests(t, filepath.Join(gatewayAPIDir(t), "examples", "standard")) {
		u := &unstructured.Unstructured{Object: m.obj}
		if v.Knows(u.GroupVersionKind()) {
			inNamespace(v, m.obj)
			bases = append(bases, m.obj)
		}
	}
	bases = append(bases, routes(t, 4)...)
	if len(bases) < 50 {
		t.Fatalf("only %d base objects", len(bases))
	}
	var out []brokenCase
	for i := range 400 {
		rng := rand.New(rand.NewPCG(20261126, uint64(i)))
		base := bases[rng.IntN(len(bases))]
		stored, err := v.Create(base)
		if err != nil || len(stored.Errors) > 0 {
			t.Fatalf("base object rejected: %v %v", err, stored.Errors)
		}
		old := runtime.DeepCopyJSON(stored.Object)
		setResourceVersion(old)
		obj := runtime.DeepCopyJSON(base)
		for range 1 + rng.IntN(4)/3 {
			mutate(rng, obj)
		}
		out = append(out, brokenCase{kind: fmt.Sprint(base["kind"]), obj: obj, old: old})
	}
	return out
}

// randomVerdicts records the Validator's create and update verdicts on
// brokenObjects.
func randomVerdicts(t *testing.T) []verdict {
	v := validator(t)
	var out []verdict
	for i, c := range brokenObjects(t) {
		upd := runtime.DeepCopyJSON(c.obj)
		setResourceVersion(upd)
		out = append(out, verdict{Case: i, Kind: c.kind, Create: describe(v.Create(c.obj)), Update: describe(v.Update(upd, c.old))})
	}
	return out
}

// CreateInPlace and UpdateInPlace skip Create's and Update's copy and give
// the same results.
func TestInPlaceEqualsCopying(t *testing.T) {
	v := validator(t)
	for i, c := range brokenObjects(t) {
		upd := runtime.DeepCopyJSON(c.obj)
		setResourceVersion(upd)
		oldCopy := runtime.DeepCopyJSON(c.old)
		for _, step := range []struct {
			name          string
			copying, dest func() (Result, error)
		}{
			{"create", func() (Result, error) { return v.Create(c.obj) }, func() (Result, error) { return v.CreateInPlace(runtime.DeepCopyJSON(c.obj)) }},
			{"update", func() (Result, error) { return v.Update(upd, c.old) }, func() (Result, error) { return v.UpdateInPlace(runtime.DeepCopyJSON(upd), c.old) }},
		} {
			want, wantErr := step.copying()
			got, gotErr := step.dest()
			if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) || !sameResult(want, got) {
				t.Errorf("case %d %s %s: in place %v %v, copying %v %v", i, c.kind, step.name, got, gotErr, want, wantErr)
			}
		}
		if !reflect.DeepEqual(oldCopy, c.old) {
			t.Errorf("case %d: UpdateInPlace changed the stored object", i)
		}
	}
}

// sameResult compares Results up to the order of their errors, which
// kube-openapi's schema validation takes from map iteration.
func sameResult(a, b Result) bool {
	return reflect.DeepEqual(a.Object, b.Object) && reflect.DeepEqual(a.UnknownFields, b.UnknownFields) &&
		slices.Equal(sortedErrors(a), sortedErrors(b))
}

func sortedErrors(r Result) []string { return sortedFieldErrors(r.Errors) }

func setResourceVersion(obj map[string]any) {
	if meta, ok := obj["metadata"].(map[string]any); ok {
		meta["resourceVersion"] = "1"
	}
}

// describe is a Result in words: the errors (sorted, since some come from
// map iteration), the unknown fields, and a digest of the stored object.
func describe(r Result, err error) string {
	if err != nil {
		return "decode error: " + err.Error()
	}
	unknown := fmt.Sprintf(" unknown %q", r.UnknownFields)
	if len(r.Errors) > 0 {
		return "errors: " + strings.Join(sortedErrors(r), " | ") + unknown
	}
	data, jerr := json.Marshal(r.Object)
	if jerr != nil {
		return "unmarshalable object: " + jerr.Error()
	}
	sum := sha256.Sum256(data)
	return "stored " + hex.EncodeToString(sum[:8]) + unknown
}

// Replacements: mostly of the same JSON type, which pass the schema's type
// check and trip its formats, patterns, enums and bounds and the CEL rules;
// sometimes of another type.
var (
	brokenStrings = []string{"", "*", "/", "a", "b", "Exact", "PathPrefix", "RegularExpression", "*.example.com",
		"foo.*.com", "example.com", "HTTP", "HTTPS", "TLS", "Service", "core", "gateway.networking.k8s.io",
		"no spaces allowed", "/path", "x/", strings.Repeat("x", 300), "10s", "1h", "0s", "RequestRedirect",
		"URLRewrite", "RequestHeaderModifier", "ReplaceFullPath", "ReplacePrefixMatch", "Same", "All", "Selector"}
	brokenInts   = []int64{-1, 0, 1, 80, 443, 8080, 65535, 65536, 1 << 40, 300, 1000001}
	brokenOthers = []func() any{
		func() any { return 1.5 },
		func() any { return true },
		func() any { return nil },
		func() any { return map[string]any{} },
		func() any { return []any{} },
		func() any { return map[string]any{"unknownField": "x"} },
		func() any { return []any{"a", "a"} },
		func() any { return "a" },
		func() any { return int64(1) },
	}
)

func brokenValue(rng *rand.Rand, old any) any {
	if rng.IntN(6) > 0 {
		switch old.(type) {
		case string:
			return brokenStrings[rng.IntN(len(brokenStrings))]
		case int64:
			return brokenInts[rng.IntN(len(brokenInts))]
		case bool:
			return !old.(bool)
		}
	}
	return brokenOthers[rng.IntN(len(brokenOthers))]()
}

// mutate changes one random place of obj: it replaces a value, deletes a
// key, or duplicates a list item.
func mutate(rng *rand.Rand, obj map[string]any) {
	var parent any = obj
	for depth := 0; ; depth++ {
		switch p := parent.(type) {
		case map[string]any:
			keys := make([]string, 0, len(p))
			for k := range p {
				keys = append(keys, k)
			}
			if len(keys) == 0 {
				p["unknownField"] = "x"
				return
			}
			slices.Sort(keys)
			k := keys[rng.IntN(len(keys))]
			if depth == 0 {
				if _, ok := p["spec"]; ok && rng.IntN(5) > 0 {
					k = "spec" // the schemas and rules are mostly there
				} else if (k == "apiVersion" || k == "kind") && rng.IntN(4) > 0 {
					continue // a broken type meta says little
				}
			}
			child := p[k]
			if isContainer(child) && rng.IntN(4) > 0 {
				parent = child
				continue
			}
			if rng.IntN(5) == 0 {
				delete(p, k)
			} else {
				p[k] = brokenValue(rng, child)
			}
			return
		case []any:
			if len(p) == 0 {
				return
			}
			i := rng.IntN(len(p))
			if isContainer(p[i]) && rng.IntN(4) > 0 {
				parent = p[i]
				continue
			}
			if rng.IntN(3) == 0 {
				// A copy of the neighbouring item: duplicates break list-map
				// keys and uniqueness rules.
				p[i] = runtime.DeepCopyJSONValue(p[(i+1)%len(p)])
			} else {
				p[i] = brokenValue(rng, p[i])
			}
			return
		default:
			return
		}
	}
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// Skipping the objectmeta walks for schemas without embedded resources
// gives the results of running them.
func TestEmbeddedSkipEqualsWalking(t *testing.T) {
	v := validator(t)
	walking, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := walking.BuildAll(); err != nil {
		t.Fatal(err) // building sets embedded
	}
	skipped := 0
	for _, k := range walking.kinds {
		if ck, ok := k.(*crdKind); ok {
			if !ck.embedded {
				skipped++
			}
			ck.embedded = true
		}
	}
	if skipped == 0 {
		t.Fatal("no kind skips the walks; the comparison would be of one path with itself")
	}
	for i, c := range brokenObjects(t) {
		upd := runtime.DeepCopyJSON(c.obj)
		setResourceVersion(upd)
		got, gotErr := v.Create(c.obj)
		want, wantErr := walking.Create(c.obj)
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) || !sameResult(want, got) {
			t.Errorf("case %d %s create: skipping %v %v, walking %v %v", i, c.kind, got, gotErr, want, wantErr)
		}
		got, gotErr = v.Update(upd, c.old)
		want, wantErr = walking.Update(upd, c.old)
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) || !sameResult(want, got) {
			t.Errorf("case %d %s update: skipping %v %v, walking %v %v", i, c.kind, got, gotErr, want, wantErr)
		}
	}
}

func TestHasEmbeddedResource(t *testing.T) {
	leaf := structuralschema.Structural{Generic: structuralschema.Generic{Type: "object"}, Extensions: structuralschema.Extensions{XEmbeddedResource: true}}
	for name, s := range map[string]*structuralschema.Structural{
		"property":             {Properties: map[string]structuralschema.Structural{"a": leaf}},
		"items":                {Properties: map[string]structuralschema.Structural{"a": {Items: &leaf}}},
		"additionalProperties": {AdditionalProperties: &structuralschema.StructuralOrBool{Structural: &leaf}},
	} {
		if !hasEmbeddedResource(s) {
			t.Errorf("%s: embedded resource not found", name)
		}
	}
	if hasEmbeddedResource(&structuralschema.Structural{Properties: map[string]structuralschema.Structural{"a": {Items: &structuralschema.Structural{}}}}) {
		t.Error("found an embedded resource in a schema without one")
	}
}

// coerce skips PruneNonNullableNullsWithoutDefaults for objects without a
// null field: on those it changes nothing.
func TestPruneNullsNeedsANull(t *testing.T) {
	v := validator(t)
	withNull := 0
	for i, c := range brokenObjects(t) {
		u := &unstructured.Unstructured{Object: c.obj}
		k, ok := v.kinds[u.GroupVersionKind()].(*crdKind)
		if !ok {
			continue
		}
		if hasNullField(c.obj) {
			withNull++
			continue
		}
		pruned := runtime.DeepCopyJSON(c.obj)
		structuraldefaulting.PruneNonNullableNullsWithoutDefaults(pruned, k.structural)
		if !reflect.DeepEqual(pruned, c.obj) {
			t.Errorf("case %d %s: pruning changed an object without nulls", i, c.kind)
		}
	}
	if withNull == 0 {
		t.Error("no broken object has a null field; the verdict tests do not cover pruning")
	}
}
