package validation

import (
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// crdHeader, which decodes a CRD file without its schemas, gives the fully
// decoded CRD with the schemas left out, for every embedded file.
func TestCRDHeadersMatchFullParse(t *testing.T) {
	names, err := fs.Glob(crdFiles, "crds/*.yaml")
	if err != nil || len(names) < 10 {
		t.Fatalf("%d CRD files, %v", len(names), err)
	}
	for _, name := range names {
		data, err := crdFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		full, err := parseCRD(data)
		if err != nil {
			t.Fatal(err)
		}
		withSchema := 0
		for i := range full.Spec.Versions {
			if full.Spec.Versions[i].Schema != nil {
				withSchema++
			}
			full.Spec.Versions[i].Schema = nil
		}
		if withSchema == 0 {
			t.Errorf("%s: no version has a schema; the comparison shows nothing", name)
		}
		header, err := crdHeader(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(header, full) {
			t.Errorf("%s: header\n%+v\ndiffers from the full CRD without schemas\n%+v", name, header.Spec, full.Spec)
		}
	}
}

// Each entry that splitVersions cuts out of an embedded CRD file, decoded
// with the text around the list, gives the CRD with only that version:
// crdVersion's cheap path, which it takes for every embedded kind.
func TestCRDVersionsMatchFullParse(t *testing.T) {
	names, err := fs.Glob(crdFiles, "crds/*.yaml")
	if err != nil || len(names) < 10 {
		t.Fatalf("%d CRD files, %v", len(names), err)
	}
	several := 0
	for _, name := range names {
		data, err := crdFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		full, err := parseCRD(data)
		if err != nil {
			t.Fatal(err)
		}
		head, items, tail, ok := splitVersions(data)
		if !ok || len(items) != len(full.Spec.Versions) {
			t.Errorf("%s: split %v into %d entries, want %d", name, ok, len(items), len(full.Spec.Versions))
			continue
		}
		if len(items) > 1 {
			several++
		}
		for i, item := range items {
			one, err := parseCRD(slices.Concat(head, item, tail))
			if err != nil {
				t.Errorf("%s entry %d: %v", name, i, err)
				continue
			}
			want := full.DeepCopy()
			want.Spec.Versions = want.Spec.Versions[i : i+1]
			// Defaulting sets status.storedVersions to the storage
			// version, which the entry may not be.
			want.Status.StoredVersions, one.Status.StoredVersions = nil, nil
			if !reflect.DeepEqual(one, want) {
				t.Errorf("%s entry %d: decoded alone, differs from the full CRD's version %s", name, i, full.Spec.Versions[i].Name)
			}
			ver, err := crdVersion(data, i, full.Spec.Versions[i].Name)
			if err != nil || !reflect.DeepEqual(ver, &full.Spec.Versions[i]) {
				t.Errorf("%s: crdVersion %d: %v", name, i, err)
			}
		}
	}
	if several == 0 {
		t.Error("no embedded CRD has several versions")
	}
}

// crdVersion decodes the whole file when the list cannot be split.
func TestCRDVersionWithoutSplit(t *testing.T) {
	data := []byte(testCRD("things", "Thing", ` [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}},
    {name: v2, served: true, storage: false, schema: {openAPIV3Schema: {type: string}}}]
`))
	if _, _, _, ok := splitVersions(data); ok {
		t.Fatal("split a flow-style list")
	}
	ver, err := crdVersion(data, 1, "v2")
	if err != nil || ver.Name != "v2" || ver.Schema.OpenAPIV3Schema.Type != "string" {
		t.Errorf("got %+v, %v", ver, err)
	}
}

// New knows every served version of every embedded CRD, with the scope and
// status subresource the full CRD gives it, and BuildAll builds them all:
// a CRD that would not build fails here, not in a user's first request.
func TestBuildAllBuildsEveryKind(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	crds, err := loadCRDs()
	if err != nil {
		t.Fatal(err)
	}
	want := map[schema.GroupVersionKind]bool{}
	for _, crd := range crds {
		for _, ver := range crd.Spec.Versions {
			if !ver.Served {
				continue
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}
			want[gvk] = true
			namespaced, ok := v.Namespaced(gvk)
			if !ok {
				t.Errorf("%s unknown", gvk)
				continue
			}
			if namespaced != (crd.Spec.Scope == "Namespaced") {
				t.Errorf("%s: namespaced %v, scope %s", gvk, namespaced, crd.Spec.Scope)
			}
			if st := ver.Subresources != nil && ver.Subresources.Status != nil; v.HasStatusSubresource(gvk) != st {
				t.Errorf("%s: status subresource %v, want %v", gvk, !st, st)
			}
		}
	}
	for gvk, k := range v.kinds {
		if _, ok := k.(*crdKind); ok && !want[gvk] {
			t.Errorf("%s is not a served version of an embedded CRD", gvk)
		}
		if k, ok := k.(*crdKind); ok && k.structural != nil {
			t.Errorf("%s built by New", gvk)
		}
	}
	if err := v.BuildAll(); err != nil {
		t.Fatal(err)
	}
	for gvk := range want {
		k := v.kinds[gvk].(*crdKind)
		if k.structural == nil || k.schemaValidator == nil {
			t.Errorf("%s not built", gvk)
		}
	}
}

// Kinds built on first use by many goroutines at once give what the kinds
// built up front give.
func TestConcurrentFirstUse(t *testing.T) {
	built := validator(t)
	var objs []map[string]any
	for _, c := range brokenObjects(t) {
		objs = append(objs, c.obj)
	}
	want := make([]string, len(objs))
	for i, obj := range objs {
		want[i] = describe(built.Create(obj))
	}
	kinds := map[string]bool{}
	for _, obj := range objs {
		kinds[fmt.Sprint(obj["apiVersion"], obj["kind"])] = true
	}
	if len(kinds) < 5 {
		t.Fatalf("objects of only %d kinds", len(kinds))
	}
	lazy, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			// Each goroutine starts at a different object, so that
			// several kinds are first used at once.
			for j := range objs {
				i := (j + g*len(objs)/8) % len(objs)
				if got := describe(lazy.Create(runtime.DeepCopyJSON(objs[i]))); got != want[i] {
					t.Errorf("object %d: got %s, want %s", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// brokenCRDs has a good CRD of two versions and two bad ones: one whose
// schema is not structural (items a list), one whose schema is not even YAML. Both bad
// ones decode without their schemas, so New accepts them.
var brokenCRDs = fstest.MapFS{
	"good.yaml": {Data: []byte(testCRD("gadgets", "Gadget", `
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties: {size: {type: integer, maximum: 3}}
    - name: v2
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties: {size: {type: integer, maximum: 5}}
`))},
	"unstructural.yaml": {Data: []byte(testCRD("widgets", "Widget", `
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties: {sizes: {type: array, items: [{type: integer}]}}
      subresources: {status: {}}
`))},
	"notyaml.yaml": {Data: []byte(testCRD("doohickeys", "Doohickey", `
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, properties: [
`))},
}

func testCRD(plural, kind, versions string) string {
	return fmt.Sprintf(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: %[1]s.example.com
spec:
  group: example.com
  names: {kind: %[2]s, listKind: %[2]sList, plural: %[1]s, singular: %[1]s}
  scope: Namespaced
  versions:%[3]s`, plural, kind, versions)
}

// A CRD that does not build is reported, naming it, on every use of its
// kinds and by BuildAll; the other CRDs work.
func TestBrokenCRDFailsOnUse(t *testing.T) {
	v, err := newFromFS(brokenCRDs)
	if err != nil {
		t.Fatal(err)
	}
	obj := func(version, kind string, size int64) map[string]any {
		return map[string]any{
			"apiVersion": "example.com/" + version, "kind": kind,
			"metadata": map[string]any{"name": "x", "namespace": "default"},
			"spec":     map[string]any{"size": size},
		}
	}
	for _, c := range []struct{ kind, detail string }{
		{"Widget", "CRD widgets.example.com: example.com/v1, Kind=Widget: schema is not structural: OpenAPIV3Schema 'items' must be a schema"},
		{"Doohickey", "CRD doohickeys.example.com: example.com/v1, Kind=Doohickey: notyaml.yaml: "},
	} {
		gvk := schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: c.kind}
		if ns, ok := v.Namespaced(gvk); !ok || !ns {
			t.Errorf("%s: namespaced %v, known %v", c.kind, ns, ok)
		}
		for range 2 {
			res, err := v.Create(obj("v1", c.kind, 1))
			if err != nil || len(res.Errors) != 1 || res.Errors[0].Type != field.ErrorTypeInternal ||
				res.Errors[0].Field != "kind" || !strings.Contains(res.Errors[0].Error(), c.detail) {
				t.Errorf("%s: got %v %v, want an internal error with %q", c.kind, res.Errors, err, c.detail)
			}
			if errs := v.Validate(obj("v1", c.kind, 1)); len(errs) != 1 || !strings.Contains(errs[0].Error(), c.detail) {
				t.Errorf("%s: Validate gave %v", c.kind, errs)
			}
			if err := v.Default(obj("v1", c.kind, 1)); err == nil || !strings.Contains(err.Error(), c.detail) {
				t.Errorf("%s: Default gave %v", c.kind, err)
			}
		}
		if err := v.BuildAll(); err == nil || !strings.Contains(err.Error(), c.detail) {
			t.Errorf("BuildAll: %v, want an error with %q", err, c.detail)
		}
	}
	for version, max := range map[string]int64{"v1": 3, "v2": 5} {
		if res, err := v.Create(obj(version, "Gadget", max)); err != nil || len(res.Errors) > 0 {
			t.Errorf("Gadget %s size %d: %v %v", version, max, res.Errors, err)
		}
		res, err := v.Create(obj(version, "Gadget", max+1))
		if err != nil || len(res.Errors) != 1 || res.Errors[0].Field != "spec.size" {
			t.Errorf("Gadget %s size %d: %v %v, want an error on spec.size", version, max+1, res.Errors, err)
		}
	}
	if err := v.Build(schema.GroupVersionKind{Group: "example.com", Version: "v3", Kind: "Gadget"}); err == nil {
		t.Error("Build of an unknown kind did not fail")
	}
}
