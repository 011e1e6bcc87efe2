package validation

import (
	"context"
	"fmt"
	"sync"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/cel/common"
)

// crdKind validates one served version of a CRD. What lookups need is
// known from New on; the validators are built on first use (ready), once,
// and only read afterwards, so one crdKind serves concurrent callers.
//
// The methods follow k8s.io/apiextensions-apiserver/pkg/registry/customresource
// (strategy.go, status_strategy.go, validator.go) and the CRD handler's
// decoder (unstructuredSchemaCoercer, unstructuredDefaulter) step by step;
// that package itself cannot be used without a running server's storage.
type crdKind struct {
	gvk        schema.GroupVersionKind
	crdName    string
	namespaced bool
	hasStatus  bool
	src        crdSource

	once sync.Once
	err  error // of building; set by ready

	// Built by ready.
	structural      *structuralschema.Structural
	schemaValidator apiservervalidation.SchemaValidator
	statusValidator apiservervalidation.SchemaValidator
	celValidator    *cel.Validator // nil when the schema has no CEL rules
	// embedded is whether the schema declares an embedded resource below
	// its root. Without one, the objectmeta walks (coercing and validating
	// the metadata of embedded resources) can find nothing: they visit the
	// whole object only to look, so they are skipped.
	embedded bool
	// roundTripMeta makes coerce take every metadata through
	// metav1.ObjectMeta, plain or not (for tests).
	roundTripMeta bool
}

// hasNullField reports whether a map in x, at any depth, holds a null.
func hasNullField(x any) bool {
	switch x := x.(type) {
	case map[string]any:
		for _, v := range x {
			if v == nil || hasNullField(v) {
				return true
			}
		}
	case []any:
		for _, v := range x {
			if hasNullField(v) {
				return true
			}
		}
	}
	return false
}

// hasEmbeddedResource reports whether s or a schema below it (by the
// properties, additionalProperties and items that the objectmeta walks
// follow) has x-kubernetes-embedded-resource.
func hasEmbeddedResource(s *structuralschema.Structural) bool {
	if s == nil {
		return false
	}
	if s.XEmbeddedResource {
		return true
	}
	for _, p := range s.Properties {
		if hasEmbeddedResource(&p) {
			return true
		}
	}
	if s.AdditionalProperties != nil && hasEmbeddedResource(s.AdditionalProperties.Structural) {
		return true
	}
	return hasEmbeddedResource(s.Items)
}

// ready builds the kind's validators on its first call; the other methods
// (but kind, isNamespaced and hasStatusSubresource) may only be called
// after it has returned nil.
func (k *crdKind) ready() error {
	k.once.Do(func() {
		if err := k.build(); err != nil {
			k.err = fmt.Errorf("CRD %s: %s: %w", k.crdName, k.gvk, err)
		}
	})
	return k.err
}

func (k *crdKind) kind() schema.GroupVersionKind { return k.gvk }

func (k *crdKind) isNamespaced() bool { return k.namespaced }

func (k *crdKind) hasStatusSubresource() bool { return k.hasStatus }

// coerce does what the API server's decoder does before anything else sees
// the object: normalise metadata, drop fields the schema does not declare
// (reporting their paths, for fieldValidation=Strict/Warn) and drop nulls
// that the schema does not allow.
func (k *crdKind) coerce(obj map[string]any) ([]string, error) {
	u := &unstructured.Unstructured{Object: obj}
	apiVersion, kind := u.GetAPIVersion(), u.GetKind()
	var (
		meta      *metav1.ObjectMeta
		foundMeta bool
		unknown   []string
		err       error
	)
	// Plain metadata would come back from the trip through ObjectMeta as
	// it went; so it is left where it is.
	if k.roundTripMeta || !plainMetadata(obj["metadata"]) {
		meta, foundMeta, unknown, err = schemaobjectmeta.GetObjectMetaWithOptions(obj, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
		if err != nil {
			return nil, err
		}
	}
	unknown = append(unknown, structuralpruning.PruneWithOptions(obj, k.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	// It only ever deletes null values of object fields; most objects have
	// none, and looking for one is cheaper than the schema-guided walk.
	if hasNullField(obj) {
		structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, k.structural)
	}
	if k.embedded {
		ferr, embedded := schemaobjectmeta.CoerceWithOptions(nil, obj, k.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
		if ferr != nil {
			return nil, ferr
		}
		unknown = append(unknown, embedded...)
	}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	if foundMeta {
		if err := schemaobjectmeta.SetObjectMeta(obj, meta); err != nil {
			return nil, err
		}
	}
	return unknown, nil
}

func (k *crdKind) applyDefaults(obj map[string]any) {
	structuraldefaulting.Default(obj, k.structural)
}

// prepareForCreate drops status, which a create cannot set when the kind has
// a status subresource.
func (k *crdKind) prepareForCreate(obj map[string]any) {
	if k.hasStatus {
		delete(obj, "status")
	}
}

// prepareForUpdate keeps the stored status, which only the status
// subresource may change.
func (k *crdKind) prepareForUpdate(newObj, oldObj map[string]any) {
	if !k.hasStatus {
		return
	}
	if st, ok := oldObj["status"]; ok {
		newObj["status"] = st
	} else {
		delete(newObj, "status")
	}
}

func (k *crdKind) validate(obj map[string]any) field.ErrorList {
	u := &unstructured.Unstructured{Object: obj}
	if errs := typeMetaErrors(k.gvk, obj); len(errs) > 0 {
		return errs
	}
	var errs field.ErrorList
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessor(u, k.namespaced, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, obj, k.schemaValidator)...)
	errs = append(errs, k.validateEmbedded(obj)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, k.structural, obj)...)
	return k.validateCEL(errs, obj, nil)
}

// validateEmbedded checks the metadata of embedded resources, if the schema
// has any.
func (k *crdKind) validateEmbedded(obj map[string]any) field.ErrorList {
	if !k.embedded {
		return nil
	}
	return schemaobjectmeta.Validate(nil, obj, k.structural, false)
}

func (k *crdKind) validateUpdate(newObj, oldObj map[string]any) field.ErrorList {
	uNew, uOld := &unstructured.Unstructured{Object: newObj}, &unstructured.Unstructured{Object: oldObj}
	if errs := typeMetaErrors(k.gvk, newObj); len(errs) > 0 {
		return errs
	}
	// Ratcheting (CRDValidationRatcheting, on by default): a value left
	// unchanged by the update is not rejected by a rule it already broke.
	correlated := common.NewCorrelatedObject(newObj, oldObj, &model.Structural{Structural: k.structural})
	var errs field.ErrorList
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessorUpdate(uNew, uOld, field.NewPath("metadata"))...)
	errs = append(errs, apiservervalidation.ValidateCustomResourceUpdate(nil, newObj, oldObj, k.schemaValidator, apiservervalidation.WithRatcheting(correlated))...)
	errs = append(errs, k.validateEmbedded(newObj)...)
	if oldErrs := structurallisttype.ValidateListSetsAndMaps(nil, k.structural, oldObj); len(oldErrs) == 0 {
		errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, k.structural, newObj)...)
	}
	return k.validateCEL(errs, newObj, oldObj, cel.WithRatcheting(correlated))
}

func (k *crdKind) validateStatusUpdate(newObj, oldObj map[string]any) field.ErrorList {
	uNew, uOld := &unstructured.Unstructured{Object: newObj}, &unstructured.Unstructured{Object: oldObj}
	if errs := typeMetaErrors(k.gvk, newObj); len(errs) > 0 {
		return errs
	}
	correlated := common.NewCorrelatedObject(newObj, oldObj, &model.Structural{Structural: k.structural})
	var errs field.ErrorList
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessorUpdate(uNew, uOld, field.NewPath("metadata"))...)
	if status, ok := newObj["status"]; ok && k.statusValidator != nil {
		errs = append(errs, apiservervalidation.ValidateCustomResourceUpdate(field.NewPath("status"), status, oldObj["status"], k.statusValidator, apiservervalidation.WithRatcheting(correlated.Key("status")))...)
	}
	if newErrs := structurallisttype.ValidateListSetsAndMaps(nil, k.structural, newObj); len(newErrs) > 0 {
		if oldErrs := structurallisttype.ValidateListSetsAndMaps(nil, k.structural, oldObj); len(oldErrs) == 0 {
			errs = append(errs, newErrs...)
		}
	}
	return k.validateCEL(errs, newObj, oldObj, cel.WithRatcheting(correlated))
}

// validateCEL runs the CEL rules unless the schema errors so far mean some
// rules would see a malformed object; then it says so, as the server does.
func (k *crdKind) validateCEL(errs field.ErrorList, obj, oldObj map[string]any, opts ...cel.Option) field.ErrorList {
	if k.celValidator == nil {
		return errs
	}
	if blocking := blockingErr(errs); blocking != nil {
		return append(errs, blocking)
	}
	var old any
	if oldObj != nil {
		old = oldObj
	}
	celErrs, _ := k.celValidator.Validate(context.TODO(), nil, k.structural, obj, old, celconfig.RuntimeCELCostBudget, opts...)
	return append(errs, celErrs...)
}

// blockingErr is customresource.hasBlockingErr.
func blockingErr(errs field.ErrorList) *field.Error {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")
		}
	}
	return nil
}
