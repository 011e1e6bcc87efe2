package validation

import (
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// StatusFor is the Status kube-apiserver answers a rejected write with: 422
// Invalid, reason "Invalid", the message "<Kind>.<group> "<name>" is
// invalid: ..." and one details.causes entry per error with its field path.
// It is apierrors.NewInvalid itself, so the wording cannot drift; the type
// meta is set as the API server's serializer sets it on the wire.
func StatusFor(gk schema.GroupKind, name string, errs field.ErrorList) *metav1.Status {
	st := apierrors.NewInvalid(gk, name, errs).Status()
	st.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	return &st
}

// UnknownFieldsError is the error kube-apiserver answers with (as 400 Bad
// Request) under fieldValidation=Strict when an object has fields its
// schema does not declare; paths come from Prune or Result.UnknownFields.
func UnknownFieldsError(paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	errs := make([]error, len(paths))
	for i, p := range paths {
		errs[i] = fmt.Errorf("unknown field %q", p)
	}
	return runtime.NewStrictDecodingError(errs)
}
