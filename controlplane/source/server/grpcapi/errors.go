package grpcapi

import (
	"encoding/json"
	"net/http"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
)

// CodeFor is the gRPC code of a Kubernetes Status, chosen so that a gRPC
// client can branch on the code alone the way an HTTP client branches on
// the status code: 409 Conflict is ABORTED (re-read and retry), 409
// AlreadyExists is ALREADY_EXISTS, 410 Expired is OUT_OF_RANGE (list again
// and watch from the list), and 400 and 422 are INVALID_ARGUMENT (the
// details say which field).
func CodeFor(st *metav1.Status) codes.Code {
	switch st.Code {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return codes.InvalidArgument
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	case http.StatusNotFound:
		return codes.NotFound
	case http.StatusMethodNotAllowed:
		return codes.Unimplemented
	case http.StatusConflict:
		if st.Reason == metav1.StatusReasonAlreadyExists {
			return codes.AlreadyExists
		}
		return codes.Aborted
	case http.StatusGone:
		return codes.OutOfRange
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return codes.ResourceExhausted
	case http.StatusServiceUnavailable:
		return codes.Unavailable
	case http.StatusGatewayTimeout:
		return codes.DeadlineExceeded
	case http.StatusNotImplemented:
		return codes.Unimplemented
	}
	if st.Reason == metav1.StatusReasonTimeout {
		return codes.DeadlineExceeded
	}
	return codes.Internal
}

// toGRPC turns an API error into a gRPC status carrying the Kubernetes
// Status, so no information the HTTP API gives is lost on this transport.
func toGRPC(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return statusError(server.StatusOf(err))
}

func statusError(st *metav1.Status) error {
	s := status.New(CodeFor(st), st.Message)
	js, err := json.Marshal(st)
	if err != nil {
		return s.Err()
	}
	details := []protoadapt.MessageV1{&configv1.KubernetesStatus{Json: js}}
	if br := badRequest(st); br != nil {
		details = append(details, br)
	}
	if withDetails, err := s.WithDetails(details...); err == nil {
		s = withDetails
	}
	return s.Err()
}

// badRequest lists a Status's causes as google.rpc field violations, which
// generic gRPC tooling knows how to show.
func badRequest(st *metav1.Status) *errdetails.BadRequest {
	if st.Details == nil || len(st.Details.Causes) == 0 {
		return nil
	}
	br := &errdetails.BadRequest{}
	for _, c := range st.Details.Causes {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
			Field: c.Field, Description: c.Message, Reason: string(c.Type),
		})
	}
	return br
}

// StatusFromError recovers the Kubernetes Status a call failed with. For an
// error that does not carry one (a transport failure, say) it builds one
// from the gRPC code and message; ok is false then, and for a nil err.
func StatusFromError(err error) (st *metav1.Status, ok bool) {
	if err == nil {
		return nil, false
	}
	s, isStatus := status.FromError(err)
	if isStatus {
		for _, d := range s.Details() {
			if ks, isKS := d.(*configv1.KubernetesStatus); isKS {
				var out metav1.Status
				if json.Unmarshal(ks.GetJson(), &out) == nil {
					return &out, true
				}
			}
		}
	}
	msg := err.Error()
	if isStatus {
		msg = s.Message()
	}
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Code: http.StatusInternalServerError,
		Reason: metav1.StatusReasonUnknown, Message: msg,
	}, false
}
