package validation

import (
	"embed"
	"fmt"
	"io/fs"
	"path"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// crdFiles holds the Gateway API standard-channel CRDs (copied from the
// gateway-api module by copy-crds.sh) and the project's own CRDs.
//
//go:embed crds/*.yaml
var crdFiles embed.FS

// loadCRDs parses every embedded CRD, defaulted as kube-apiserver stores it.
func loadCRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	names, err := fs.Glob(crdFiles, "crds/*.yaml")
	if err != nil {
		return nil, err
	}
	crds := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(names))
	for _, name := range names {
		data, err := crdFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		crd, err := parseCRD(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		crds = append(crds, crd)
	}
	return crds, nil
}

func parseCRD(data []byte) (*apiextensionsv1.CustomResourceDefinition, error) {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(data, crd); err != nil {
		return nil, err
	}
	if crd.Kind != "CustomResourceDefinition" {
		return nil, fmt.Errorf("kind is %q, want CustomResourceDefinition", crd.Kind)
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd)
	return crd, nil
}

// crdKinds builds a validator for every served version of crd, as
// kube-apiserver's CRD handler does when it starts serving the CRD.
func crdKinds(crd *apiextensionsv1.CustomResourceDefinition) (map[schema.GroupVersionKind]*crdKind, error) {
	out := map[schema.GroupVersionKind]*crdKind{}
	for i := range crd.Spec.Versions {
		ver := &crd.Spec.Versions[i]
		if !ver.Served {
			continue
		}
		gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}
		k, err := newCRDKind(crd, ver, gvk)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", gvk, err)
		}
		out[gvk] = k
	}
	return out, nil
}

func newCRDKind(crd *apiextensionsv1.CustomResourceDefinition, ver *apiextensionsv1.CustomResourceDefinitionVersion, gvk schema.GroupVersionKind) (*crdKind, error) {
	if ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("no openAPIV3Schema")
	}
	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(ver.Schema, internal, nil); err != nil {
		return nil, fmt.Errorf("converting schema: %w", err)
	}
	structural, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("schema is not structural: %w", err)
	}
	// The server keeps its own copy: NewStructural shares defaults with the
	// input, and PruneDefaults edits them.
	structural = structural.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(structural); err != nil {
		return nil, fmt.Errorf("pruning defaults: %w", err)
	}
	schemaValidator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("building schema validator: %w", err)
	}
	k := &crdKind{
		gvk:             gvk,
		namespaced:      crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		structural:      structural,
		schemaValidator: schemaValidator,
		// Compiles every CEL rule of the kind, once.
		celValidator: cel.NewValidator(structural, true, celconfig.PerCallLimit),
		embedded:     hasEmbeddedResource(structural),
	}
	if ver.Subresources != nil && ver.Subresources.Status != nil {
		k.hasStatus = true
		if st, ok := internal.OpenAPIV3Schema.Properties["status"]; ok {
			if k.statusValidator, _, err = apiservervalidation.NewSchemaValidator(&st); err != nil {
				return nil, fmt.Errorf("building status validator: %w", err)
			}
		}
	}
	return k, nil
}
