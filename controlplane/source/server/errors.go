package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// Every error the API returns is an *apierrors.StatusError, so that both
// transports hand clients the Kubernetes Status a kube-apiserver would; the
// helpers below build the ones apierrors has no constructor for.

func notFoundResource(gvr schema.GroupVersionResource) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusNotFound, Reason: metav1.StatusReasonNotFound,
		Message: fmt.Sprintf("the server could not find the requested resource %q in %s", gvr.Resource, gvr.GroupVersion()),
		Details: &metav1.StatusDetails{Group: gvr.Group, Kind: gvr.Resource},
	}}
}

func notFoundPath(path string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusNotFound, Reason: metav1.StatusReasonNotFound,
		Message: fmt.Sprintf("the server could not find the requested resource (path %q)", path),
	}}
}

func invalid(k Kind, name string, errs field.ErrorList) error {
	return &apierrors.StatusError{ErrStatus: *validation.StatusFor(k.GroupKind(), name, errs)}
}

// conflict is the optimistic-lock failure, worded as kube-apiserver words it.
func conflict(k Kind, name string) error {
	return apierrors.NewConflict(k.GroupResource(), name, errors.New(optimisticLockMsg))
}

const optimisticLockMsg = "the object has been modified; please apply your changes to the latest version and try again"

func badRequestf(format string, args ...any) error {
	return apierrors.NewBadRequest(fmt.Sprintf(format, args...))
}

// fromStore turns a store error that no caller handled into a Status.
func fromStore(k Kind, name string, err error) error {
	var se *apierrors.StatusError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, store.ErrNotFound):
		return apierrors.NewNotFound(k.GroupResource(), name)
	case errors.Is(err, store.ErrConflict):
		return conflict(k, name)
	case errors.Is(err, store.ErrTooLarge):
		return apierrors.NewRequestEntityTooLargeError(err.Error())
	case errors.Is(err, store.ErrCompacted):
		return apierrors.NewResourceExpired(err.Error())
	case errors.Is(err, store.ErrInvalidKey):
		return apierrors.NewBadRequest(err.Error())
	case errors.Is(err, store.ErrClosed):
		return apierrors.NewServiceUnavailable(err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return apierrors.NewTimeoutError(err.Error(), 0)
	}
	return apierrors.NewInternalError(err)
}

// StatusOf is the Status to answer err with: err's own when it carries one,
// 500 otherwise. The type meta is set as it goes on the wire.
func StatusOf(err error) *metav1.Status {
	var st metav1.Status
	if s, ok := err.(apierrors.APIStatus); ok || errors.As(err, &s) {
		st = s.Status()
	} else {
		st = apierrors.NewInternalError(err).Status()
	}
	st.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	return &st
}
