package server

import (
	"encoding/json"
	"maps"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// Objects travel through the API as unstructured maps, as they do through a
// kube-apiserver serving CRDs: the Validator works on them, and they carry
// fields the Go types of older or newer API versions would not.

// decodeStored reads a stored value. Values are only ever written by this
// package, so a failure means the file was damaged.
func decodeStored(o store.Object) (map[string]any, error) {
	return validation.FromJSON(o.Value)
}

// encodeForStore is the stored form: the storage version, and no
// resourceVersion, which is the store's revision and is filled in on the
// way out.
func encodeForStore(k Kind, obj map[string]any) ([]byte, error) {
	out := maps.Clone(obj)
	out["apiVersion"] = k.storageGVK().GroupVersion().String()
	if md, ok := obj["metadata"].(map[string]any); ok {
		md = maps.Clone(md)
		delete(md, "resourceVersion")
		out["metadata"] = md
	}
	return json.Marshal(out)
}

// render is obj as the client asked for it: in the version of the request,
// with resourceVersion set from the store revision. It changes obj.
func render(k Kind, obj map[string]any, rev int64) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: obj}
	u.SetAPIVersion(k.GroupVersion().String())
	u.SetKind(k.Kind)
	if rev > 0 {
		u.SetResourceVersion(strconv.FormatInt(rev, 10))
	} else {
		u.SetResourceVersion("")
	}
	return u
}

// sameSpec reports whether a and b agree on everything the generation
// tracks: the object minus metadata, status, apiVersion and kind.
func sameSpec(a, b map[string]any) bool {
	n := 0
	for k, v := range a {
		if !tracked(k) {
			continue
		}
		n++
		if w, ok := b[k]; !ok || !sameJSON(v, w) {
			return false
		}
	}
	for k := range b {
		if tracked(k) {
			n--
		}
	}
	return n == 0
}

func tracked(field string) bool {
	switch field {
	case "metadata", "status", "apiVersion", "kind":
		return false
	}
	return true
}

func metaOf(obj map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: obj}
}

// defaultStatuses is, per kind with a status subresource, the status its
// CRD defaults (Gateway: Accepted and Programmed Unknown/Pending, "Waiting
// for controller"). kube-apiserver drops status on create and defaults it
// again on every read; storing it once is the same to every reader.
func defaultStatuses(v *validation.Validator, kinds *kindTable) map[schema.GroupKind]map[string]any {
	out := map[schema.GroupKind]map[string]any{}
	for _, k := range kinds.all {
		if !k.HasStatus || k.Version != k.StorageVersion {
			continue
		}
		obj := map[string]any{"apiVersion": k.GroupVersion().String(), "kind": k.Kind, "metadata": map[string]any{"name": "x"}}
		if err := v.Default(obj); err != nil {
			continue
		}
		if st, ok := obj["status"].(map[string]any); ok {
			out[k.GroupKind()] = st
		}
	}
	return out
}

// setDefaultStatus gives obj its kind's default status if it has none.
func (a *API) setDefaultStatus(k Kind, obj map[string]any) {
	if _, ok := obj["status"]; ok {
		return
	}
	if st, ok := a.defaultStatus[k.GroupKind()]; ok {
		obj["status"] = runtime.DeepCopyJSON(st)
	}
}
