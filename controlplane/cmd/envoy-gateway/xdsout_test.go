package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// referenceXDS is the straightforward rendering writeXDS must equal: each
// fleet's ResourceSet.YAML read back as one document, printed by
// writeDocuments.
func referenceXDS(t *testing.T, sets []*translator.ResourceSet, format string) []byte {
	t.Helper()
	var docs []any
	for _, rs := range sets {
		y, err := rs.YAML()
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(y, &doc); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	var b bytes.Buffer
	if err := writeDocuments(&b, docs, format); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fastXDS(t *testing.T, sets []*translator.ResourceSet, format string) []byte {
	t.Helper()
	fleets := make([]xdsFleet, len(sets))
	for i, rs := range sets {
		fleets[i] = newXDSFleet(rs)
	}
	var b bytes.Buffer
	if err := writeXDS(&b, fleets, format); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func translateAll(t testing.TB, res *resource.Resources) []*translator.ResourceSet {
	t.Helper()
	r := gatewayapi.Translate(res, gatewayapi.Options{})
	var sets []*translator.ResourceSet
	for _, name := range sortedKeys(r.IR) {
		rs, err := translator.Translate(r.IR[name])
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, rs)
	}
	return sets
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func goldenResourceSets(t *testing.T) []*translator.ResourceSet {
	t.Helper()
	files, err := filepath.Glob("../../gatewayapi/testdata/*.in.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	var sets []*translator.ResourceSet
	for _, f := range files {
		res, _, errs := resource.LoadFiles(f)
		if len(errs) > 0 {
			t.Fatal(f, errs)
		}
		sets = append(sets, translateAll(t, res)...)
	}
	return sets
}

func assertSameXDS(t *testing.T, name string, sets []*translator.ResourceSet) {
	t.Helper()
	for _, format := range []string{"yaml", "json"} {
		want, got := referenceXDS(t, sets, format), fastXDS(t, sets, format)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s -o %s: %s", name, format, firstDifference(got, want))
		}
	}
}

// Every golden input's fleets, one by one and in random groups (several
// documents print differently from one), print the same bytes as the
// reference rendering.
// firstDifference says where got first differs from want, with the bytes
// around that place.
func firstDifference(got, want []byte) string {
	i := 0
	for i < min(len(got), len(want)) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-300)
	return fmt.Sprintf("output differs at byte %d\ngot:  %q\nwant: %q", i,
		got[lo:min(len(got), i+200)], want[lo:min(len(want), i+200)])
}

func TestWriteXDSEqualsReference(t *testing.T) {
	sets := goldenResourceSets(t)
	assertSameXDS(t, "no fleet", nil)
	for _, rs := range sets {
		assertSameXDS(t, rs.Fleet, []*translator.ResourceSet{rs})
	}
	rng := rand.New(rand.NewPCG(uint64(len(sets)), 7))
	for range 20 {
		n := 2 + rng.IntN(5)
		group := make([]*translator.ResourceSet, n)
		for i := range group {
			group[i] = sets[rng.IntN(len(sets))]
		}
		assertSameXDS(t, "group", group)
	}
}

// Generated workloads (weights, header matches, many hostnames) print the
// same bytes as the reference rendering.
func TestWriteXDSEqualsReferenceOnWorkloads(t *testing.T) {
	for seed := range uint64(4) {
		w := workload.Generate(30+int(seed)*40, seed+100)
		assertSameXDS(t, "workload", translateAll(t, w.Resources))
	}
}

// yamlNumber gives what go-yaml reads from encoding/json's text of a
// number, which is how the reference rendering converts them.
func TestYAMLNumberMatchesJSONToYAML(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e8, 1e20, 1e21, 1e22, 1 << 53, 1<<53 + 2, 1 << 62, 1 << 63, 1 << 64,
		-(1 << 63), -(1 << 64), 123456789.5, 1e-7, 1.5e-7, math.MaxFloat64, math.SmallestNonzeroFloat64, 4294967295}
	for range 2000 {
		switch rng.IntN(4) {
		case 0:
			values = append(values, float64(rng.Int64N(1<<40)-1<<39))
		case 1:
			values = append(values, math.Trunc(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(25)))))
		case 2:
			values = append(values, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)))
		default:
			values = append(values, math.Float64frombits(rng.Uint64()))
		}
	}
	for _, f := range values {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		js, err := json.Marshal(map[string]any{"v": f})
		if err != nil {
			t.Fatal(err)
		}
		want, err := yaml.JSONToYAML(js)
		if err != nil {
			t.Fatal(err)
		}
		got, err := yamlv2.Marshal(map[string]any{"v": yamlNumber(f)})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%v (JSON %s): got %q, want %q", f, js, got, want)
		}
	}
}
