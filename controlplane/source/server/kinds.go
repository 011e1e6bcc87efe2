package server

import (
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// Kind is one kind the API serves, in one version.
type Kind struct {
	schema.GroupVersionKind
	// Resource is the lower-case plural used in URLs ("httproutes").
	Resource   string
	Namespaced bool
	// HasStatus: status is a subresource, so writes of the object keep the
	// stored status and only the control plane changes it.
	HasStatus bool
	// StorageVersion is the version objects are stored in. Every version of
	// a kind shares one key, so reading through any version sees the same
	// object; the versions' schemas are identical, so converting is
	// relabelling apiVersion.
	StorageVersion string
}

// GroupResource names the kind's resource as Kubernetes messages do
// ("httproutes.gateway.networking.k8s.io").
func (k Kind) GroupResource() schema.GroupResource {
	return schema.GroupResource{Group: k.Group, Resource: k.Resource}
}

// storageGVK is the kind at its storage version.
func (k Kind) storageGVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: k.Group, Version: k.StorageVersion, Kind: k.Kind}
}

// key is where the object named namespace/name lives in the store.
func (k Kind) key(namespace, name string) store.Key {
	if !k.Namespaced {
		namespace = ""
	}
	return store.Key{Group: k.Group, Kind: k.Kind, Namespace: namespace, Name: name}
}

// prefix covers the kind in one namespace, or in all when namespace is "".
func (k Kind) prefix(namespace string) store.Prefix {
	if k.Namespaced && namespace != "" {
		return store.NamespacePrefix(k.Group, k.Kind, namespace)
	}
	return store.KindPrefix(k.Group, k.Kind)
}

// kindTable is every kind the Validator knows, indexed the ways requests
// name them.
type kindTable struct {
	all        []Kind
	byResource map[schema.GroupVersionResource]Kind
	byGVK      map[schema.GroupVersionKind]Kind
	// storage is each kind at its storage version, for keys read back
	// from the store.
	storage map[schema.GroupKind]Kind
}

func newKindTable(v *validation.Validator) *kindTable {
	t := &kindTable{byResource: map[schema.GroupVersionResource]Kind{}, byGVK: map[schema.GroupVersionKind]Kind{}, storage: map[schema.GroupKind]Kind{}}
	storage := map[schema.GroupKind]string{}
	for _, gvk := range v.Kinds() {
		gk := gvk.GroupKind()
		if cur, ok := storage[gk]; !ok || version.CompareKubeAwareVersionStrings(gvk.Version, cur) > 0 {
			storage[gk] = gvk.Version
		}
	}
	for _, gvk := range v.Kinds() {
		namespaced, _ := v.Namespaced(gvk)
		k := Kind{
			GroupVersionKind: gvk,
			Resource:         plural(gvk.Kind),
			Namespaced:       namespaced,
			HasStatus:        v.HasStatusSubresource(gvk),
			StorageVersion:   storage[gvk.GroupKind()],
		}
		t.all = append(t.all, k)
		t.byResource[gvk.GroupVersion().WithResource(k.Resource)] = k
		t.byGVK[gvk] = k
		if gvk.Version == k.StorageVersion {
			t.storage[gvk.GroupKind()] = k
		}
	}
	return t
}

// plural is the resource name the kinds' CRDs declare; every kind served
// here follows the regular English rules (apimachinery's own guesser gets
// "gateways" wrong, which is why CRDs spell their plurals out).
func plural(kind string) string {
	s := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(s, "s"):
		return s + "es"
	case strings.HasSuffix(s, "y") && len(s) > 1 && !strings.ContainsRune("aeiou", rune(s[len(s)-2])):
		return s[:len(s)-1] + "ies"
	default:
		return s + "s"
	}
}

func (t *kindTable) forResource(gvr schema.GroupVersionResource) (Kind, error) {
	if k, ok := t.byResource[gvr]; ok {
		return k, nil
	}
	return Kind{}, notFoundResource(gvr)
}

func (t *kindTable) forKind(gvk schema.GroupVersionKind) (Kind, error) {
	if k, ok := t.byGVK[gvk]; ok {
		return k, nil
	}
	return Kind{}, apierrors.NewBadRequest("no kind " + gvk.Kind + " is served in " + gvk.GroupVersion().String() + "; served kinds: " + strings.Join(t.kindNames(gvk.GroupVersion()), ", "))
}

// kindNames lists the kinds of gv, or every group/version/kind when gv
// serves none, for error messages.
func (t *kindTable) kindNames(gv schema.GroupVersion) []string {
	var own, all []string
	for _, k := range t.all {
		if k.GroupVersion() == gv {
			own = append(own, k.Kind)
		}
		all = append(all, k.GroupVersion().String()+" "+k.Kind)
	}
	if len(own) > 0 {
		return own
	}
	return slices.Compact(all)
}
