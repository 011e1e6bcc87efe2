package grpcapi

import (
	"encoding/json"
	"net/http"

	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
)

// toObject is the wire form of an object the core returned.
func toObject(u *unstructured.Unstructured) (*configv1.Object, error) {
	if u == nil {
		return nil, nil
	}
	js, err := u.MarshalJSON()
	if err != nil {
		return nil, toGRPC(apierrors.NewInternalError(err))
	}
	gvk := u.GroupVersionKind()
	return &configv1.Object{
		Type:      &configv1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
		Namespace: u.GetNamespace(), Name: u.GetName(), ResourceVersion: u.GetResourceVersion(),
		Json: js,
	}, nil
}

func toApplyResponse(res *server.ApplyResult) (*configv1.ApplyResponse, error) {
	out := &configv1.ApplyResponse{Items: make([]*configv1.ApplyItem, 0, len(res.Items))}
	for _, it := range res.Items {
		item := &configv1.ApplyItem{
			Document: int32(it.Document), Index: -1,
			ApiVersion: it.APIVersion, Kind: it.Kind, Namespace: it.Namespace, Name: it.Name,
			Action: string(it.Action), ResourceVersion: it.ResourceVersion, Warnings: it.Warnings,
		}
		if it.Index != nil {
			item.Index = int32(*it.Index)
		}
		if it.Status != nil {
			js, err := json.Marshal(it.Status)
			if err != nil {
				return nil, toGRPC(apierrors.NewInternalError(err))
			}
			item.Status = js
		}
		o, err := toObject(it.Object)
		if err != nil {
			return nil, err
		}
		item.Object = o
		out.Items = append(out.Items, item)
	}
	return out, nil
}

// applyError is a failed Apply's error, with the per-object report attached
// next to the Status: which objects were rejected matters as much as that
// the call failed.
func applyError(err error, res *configv1.ApplyResponse) error {
	gerr := toGRPC(err)
	if res == nil {
		return gerr
	}
	s, _ := status.FromError(gerr)
	if withRes, werr := s.WithDetails(protoadapt.MessageV1(res)); werr == nil {
		return withRes.Err()
	}
	return gerr
}

// ApplyResponseFromError recovers the per-object report of a failed Apply;
// nil if the error carries none (the input could not be read at all).
func ApplyResponseFromError(err error) *configv1.ApplyResponse {
	s, ok := status.FromError(err)
	if !ok {
		return nil
	}
	for _, d := range s.Details() {
		if r, ok := d.(*configv1.ApplyResponse); ok {
			return r
		}
	}
	return nil
}

func badRequest400(msg string) error { return apierrors.NewBadRequest(msg) }

func unavailable(msg string) *metav1.Status {
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Code: http.StatusServiceUnavailable,
		Reason: metav1.StatusReasonServiceUnavailable, Message: msg,
	}
}
