package provider

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/envoygateway/terraform-provider-envoygateway/provider/internal/crdschema"
)

// statusShape says where an object's conditions are, which decides what
// an apply waits for.
type statusShape int

const (
	noStatus     statusShape = iota // nothing to wait for (ReferenceGrant, Backend)
	ownStatus                       // status.conditions (GatewayClass, Gateway)
	parentStatus                    // status.parents[].conditions (routes)
)

// kindModel is one kind's Terraform model, built from its CRD schema.
type kindModel struct {
	typeName string // "http_route": envoygateway_http_route
	gvk      schema.GroupVersionKind
	scoped   bool // namespaced
	desc     string
	meta     *crdschema.Node
	spec     *crdschema.Node
	status   *crdschema.Node // nil when the kind has no status
	shape    statusShape
}

var kindCache sync.Map // kind name -> *kindModel

// loadKind builds the model of kind once; the schemas are embedded, so an
// error is a build defect and panics.
func loadKind(typeName, kind, desc string) *kindModel {
	key := typeName + "|" + desc
	if m, ok := kindCache.Load(key); ok {
		return m.(*kindModel)
	}
	m, err := buildKind(typeName, kind, desc)
	if err != nil {
		panic(fmt.Sprintf("envoygateway_%s: %v", typeName, err))
	}
	kindCache.Store(key, m)
	return m
}

func buildKind(typeName, kind, desc string) (*kindModel, error) {
	k, err := crdschema.Load(kind)
	if err != nil {
		return nil, err
	}
	m := &kindModel{typeName: typeName, gvk: schema.GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind}, scoped: k.Namespaced, desc: desc}
	if m.meta, err = crdschema.Build("metadata", "metadata", metadataSchema(k.Namespaced)); err != nil {
		return nil, err
	}
	if m.spec, err = crdschema.Build("spec", "spec", k.Schema.Properties["spec"]); err != nil {
		return nil, err
	}
	if st, ok := k.Schema.Properties["status"]; ok {
		if m.status, err = crdschema.Build("status", "status", st); err != nil {
			return nil, err
		}
		m.shape = ownStatus
		if m.status.Attr("parents") != nil {
			m.shape = parentStatus
		}
	}
	return m, nil
}

func metadataSchema(namespaced bool) *crdschema.Schema {
	strMap := &crdschema.Schema{Type: "object", AdditionalProperties: &crdschema.Schema{Type: "string"}}
	s := &crdschema.Schema{Type: "object", Required: []string{"name"}, Properties: map[string]*crdschema.Schema{
		"name":        {Type: "string"},
		"labels":      strMap,
		"annotations": strMap,
	}}
	if namespaced {
		s.Properties["namespace"] = &crdschema.Schema{Type: "string"}
	}
	return s
}

// id is the import ID: namespace/name, or name for cluster-scoped kinds.
func (m *kindModel) id(namespace, name string) string {
	if !m.scoped {
		return name
	}
	return namespace + "/" + name
}
