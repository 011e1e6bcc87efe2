package validation

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	"k8s.io/apimachinery/pkg/runtime"
)

// metaValues are what random metadata is made of: plain strings, empty,
// odd and bad-UTF-8 ones, other scalars, nulls, maps and lists.
var metaValues = []func(rng *rand.Rand) any{
	func(*rand.Rand) any { return "app" },
	func(*rand.Rand) any { return "" },
	func(*rand.Rand) any { return "<&> \u2028é" },
	func(*rand.Rand) any { return "bad\xff" },
	func(*rand.Rand) any { return int64(7) },
	func(*rand.Rand) any { return true },
	func(*rand.Rand) any { return 1.5 },
	func(*rand.Rand) any { return nil },
	func(*rand.Rand) any { return []any{"a"} },
	func(*rand.Rand) any { return map[string]any{} },
}

var metaKeys = []string{"name", "namespace", "labels", "annotations", "generateName", "uid", "finalizers", "creationTimestamp", "unknownMeta"}

// randomStringMap is mostly a plain map of strings, sometimes empty or
// with an odd key or value.
func randomStringMap(rng *rand.Rand) map[string]any {
	m := map[string]any{}
	for range rng.IntN(4) {
		key := []string{"app", "example.com/team", "", "bad\xfe", "x"}[rng.IntN(5)]
		if rng.IntN(4) == 0 {
			m[key] = metaValues[rng.IntN(len(metaValues))](rng)
		} else {
			m[key] = []string{"web", "", "v1", "<b>"}[rng.IntN(4)]
		}
	}
	return m
}

// randomMetadata is plain about half the time.
func randomMetadata(rng *rand.Rand) any {
	if rng.IntN(20) == 0 {
		return metaValues[rng.IntN(len(metaValues))](rng)
	}
	m := map[string]any{"name": "route-1", "namespace": "team-a"}
	if rng.IntN(2) == 0 {
		m["labels"] = map[string]any{"app": "web"}
	}
	if rng.IntN(3) == 0 {
		m["annotations"] = map[string]any{"note": "x"}
	}
	if rng.IntN(3) == 0 {
		// Not plain, but valid.
		benign := []struct {
			key   string
			value any
		}{
			{"generateName", "route-"}, {"uid", "1234"}, {"finalizers", []any{"example.com/keep"}},
			{"creationTimestamp", "2026-01-02T03:04:05Z"}, {"unknownMeta", "x"}, {"labels", map[string]any{}},
			{"annotations", map[string]any{"a": "<&>", "b": ""}}, {"name", "bad\xff"}, {"generation", int64(2)},
		}
		b := benign[rng.IntN(len(benign))]
		m[b.key] = b.value
		return m
	}
	for range rng.IntN(3) {
		key := metaKeys[rng.IntN(len(metaKeys))]
		if rng.IntN(5) == 0 {
			delete(m, key)
			continue
		}
		if rng.IntN(3) == 0 {
			m[key] = randomStringMap(rng)
		} else {
			m[key] = metaValues[rng.IntN(len(metaValues))](rng)
		}
	}
	return m
}

// coerce leaves plain metadata where it is rather than taking it through
// metav1.ObjectMeta; the results are those of the trip, on random metadata
// of random and broken objects of every CRD kind.
func TestPlainMetadataSkipEqualsRoundTrip(t *testing.T) {
	v := validator(t)
	tripping, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range tripping.kinds {
		if ck, ok := k.(*crdKind); ok {
			ck.roundTripMeta = true
		}
	}
	var objs []map[string]any
	for _, c := range brokenObjects(t) {
		objs = append(objs, c.obj)
	}
	for i := range 1500 {
		rng := rand.New(rand.NewPCG(7, uint64(i)))
		obj := runtime.DeepCopyJSON(objs[rng.IntN(len(objs))])
		obj["metadata"] = randomMetadata(rng)
		objs = append(objs, obj)
	}
	var plain, plainAccepted, trippedAccepted int
	for i, obj := range objs {
		if plainMetadata(obj["metadata"]) {
			plain++
		}
		want, wantErr := tripping.Create(obj)
		got, gotErr := v.Create(obj)
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) || !sameResult(want, got) {
			t.Errorf("case %d %v: skipping %v %v, round trip %v %v\nmetadata %#v", i, obj["kind"], got, gotErr, want, wantErr, obj["metadata"])
		}
		if wantErr == nil && len(want.Errors) == 0 {
			if plainMetadata(obj["metadata"]) {
				plainAccepted++
			} else {
				trippedAccepted++
			}
		}
		upd := runtime.DeepCopyJSON(obj)
		setResourceVersion(upd)
		old := runtime.DeepCopyJSON(upd)
		wantUpd, wantUpdErr := tripping.Update(upd, old)
		gotUpd, gotUpdErr := v.Update(upd, old)
		if fmt.Sprint(wantUpdErr) != fmt.Sprint(gotUpdErr) || !sameResult(wantUpd, gotUpd) {
			t.Errorf("case %d %v update: skipping %v %v, round trip %v %v", i, obj["kind"], gotUpd, gotUpdErr, wantUpd, wantUpdErr)
		}
	}
	t.Logf("%d objects, %d with plain metadata; accepted %d plain, %d not", len(objs), plain, plainAccepted, trippedAccepted)
	if plainAccepted < 100 || trippedAccepted < 100 || len(objs)-plain < 500 {
		t.Error("too few cases of some kind; the random metadata needs retuning")
	}
}

// The trip through ObjectMeta gives plain metadata back as it was.
func TestPlainMetadataRoundTrips(t *testing.T) {
	checked := 0
	for i := range 3000 {
		rng := rand.New(rand.NewPCG(8, uint64(i)))
		meta := randomMetadata(rng)
		if !plainMetadata(meta) {
			continue
		}
		checked++
		obj := map[string]any{"metadata": runtime.DeepCopyJSONValue(meta)}
		om, found, unknown, err := schemaobjectmeta.GetObjectMetaWithOptions(obj, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
		if err != nil || !found || len(unknown) > 0 {
			t.Fatalf("case %d: %v %v %v", i, found, unknown, err)
		}
		if err := schemaobjectmeta.SetObjectMeta(obj, om); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(obj["metadata"], meta) {
			t.Errorf("case %d: %#v came back as %#v", i, meta, obj["metadata"])
		}
	}
	if checked < 500 {
		t.Errorf("only %d plain metadata", checked)
	}
}
