// Package crdtrim reduces CustomResourceDefinitions to the schema subset
// the provider builds its Terraform schemas from.
package crdtrim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/version"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/provider/internal/crdschema"
)

// Generate returns the trimmed schema of every CRD in dir, keyed by file
// name ("HTTPRoute.json"), each in the served version a client prefers.
func Generate(dir string) (map[string][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, f := range files {
		k, err := readCRD(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
		buf := &bytes.Buffer{}
		enc := json.NewEncoder(buf)
		enc.SetIndent("", " ")
		if err := enc.Encode(k); err != nil {
			return nil, err
		}
		out[k.Kind+".json"] = buf.Bytes()
	}
	return out, nil
}

// WriteDir writes Generate's output to out, replacing older JSON files.
func WriteDir(crds, out string) error {
	files, err := Generate(crds)
	if err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(out, "*.json"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func readCRD(path string) (*crdschema.Kind, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(data, crd); err != nil {
		return nil, err
	}
	ver := preferred(crd)
	if ver == nil || ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("no served version with a schema")
	}
	root := ver.Schema.OpenAPIV3Schema
	props := map[string]*crdschema.Schema{}
	for _, name := range []string{"spec", "status"} {
		if p, ok := root.Properties[name]; ok {
			t, err := trim(&p, name)
			if err != nil {
				return nil, err
			}
			props[name] = t
		}
	}
	return &crdschema.Kind{
		Group:      crd.Spec.Group,
		Version:    ver.Name,
		Kind:       crd.Spec.Names.Kind,
		Namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		Schema:     &crdschema.Schema{Type: "object", Properties: props},
	}, nil
}

// preferred picks the served version of highest Kubernetes priority
// (v1 > v1beta1 > v1alpha2), as discovery clients do.
func preferred(crd *apiextensionsv1.CustomResourceDefinition) *apiextensionsv1.CustomResourceDefinitionVersion {
	var best *apiextensionsv1.CustomResourceDefinitionVersion
	for i := range crd.Spec.Versions {
		v := &crd.Spec.Versions[i]
		if v.Served && (best == nil || version.CompareKubeAwareVersionStrings(v.Name, best.Name) > 0) {
			best = v
		}
	}
	return best
}

func trim(p *apiextensionsv1.JSONSchemaProps, path string) (*crdschema.Schema, error) {
	if p.XIntOrString || p.XEmbeddedResource {
		return nil, fmt.Errorf("%s: schema shape not supported by the provider", path)
	}
	s := &crdschema.Schema{Type: p.Type, Format: p.Format, Description: p.Description, Required: p.Required}
	if p.XPreserveUnknownFields != nil && *p.XPreserveUnknownFields {
		if p.Type != "" || len(p.Properties) > 0 {
			return nil, fmt.Errorf("%s: typed x-kubernetes-preserve-unknown-fields not supported by the provider", path)
		}
		// Any JSON value: the provider takes it as JSON text.
		s.Type = crdschema.TypeJSON
	}
	if p.Default != nil {
		s.Default = p.Default.Raw
	}
	for _, e := range p.Enum {
		var v any
		if err := json.Unmarshal(e.Raw, &v); err != nil {
			return nil, fmt.Errorf("%s: enum: %w", path, err)
		}
		s.Enum = append(s.Enum, fmt.Sprint(v))
	}
	if p.XListType != nil {
		s.ListType = *p.XListType
	}
	s.ListMapKeys = p.XListMapKeys
	sort.Strings(s.Required)
	if len(p.Properties) > 0 {
		s.Properties = map[string]*crdschema.Schema{}
		for name, child := range p.Properties {
			t, err := trim(&child, path+"."+name)
			if err != nil {
				return nil, err
			}
			s.Properties[name] = t
		}
	}
	if p.Items != nil {
		if p.Items.Schema == nil {
			return nil, fmt.Errorf("%s: tuple items not supported", path)
		}
		t, err := trim(p.Items.Schema, path+"[]")
		if err != nil {
			return nil, err
		}
		s.Items = t
	}
	if p.AdditionalProperties != nil && p.AdditionalProperties.Schema != nil {
		t, err := trim(p.AdditionalProperties.Schema, path+"{}")
		if err != nil {
			return nil, err
		}
		s.AdditionalProperties = t
	}
	return s, nil
}
