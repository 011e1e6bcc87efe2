package validation

import (
	"embed"
	"fmt"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// crdFiles holds the Gateway API standard-channel CRDs (copied from the
// gateway-api module by copy-crds.sh) and the project's own CRDs.
//
//go:embed crds/*.yaml
var crdFiles embed.FS

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

// compile builds the kind's structural schema, schema validators and CEL
// programs from its version of the CRD, as kube-apiserver's CRD handler
// does when it starts serving the CRD.
func (k *crdKind) compile(ver *apiextensionsv1.CustomResourceDefinitionVersion) error {
	if ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
		return fmt.Errorf("no openAPIV3Schema")
	}
	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(ver.Schema, internal, nil); err != nil {
		return fmt.Errorf("converting schema: %w", err)
	}
	structural, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return fmt.Errorf("schema is not structural: %w", err)
	}
	// The server keeps its own copy: NewStructural shares defaults with the
	// input, and PruneDefaults edits them.
	structural = structural.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(structural); err != nil {
		return fmt.Errorf("pruning defaults: %w", err)
	}
	schemaValidator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return fmt.Errorf("building schema validator: %w", err)
	}
	k.structural = structural
	k.schemaValidator = schemaValidator
	// Compiles every CEL rule of the kind, once.
	k.celValidator = cel.NewValidator(structural, true, celconfig.PerCallLimit)
	k.embedded = hasEmbeddedResource(structural)
	if k.hasStatus {
		if st, ok := internal.OpenAPIV3Schema.Properties["status"]; ok {
			if k.statusValidator, _, err = apiservervalidation.NewSchemaValidator(&st); err != nil {
				return fmt.Errorf("building status validator: %w", err)
			}
		}
	}
	return nil
}
