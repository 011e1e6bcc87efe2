package apiclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StatusError is a request the server refused, with the Kubernetes Status
// it answered: Code (the HTTP status), Reason, Message, and for a 422
// Details.Causes naming each invalid field. It implements apimachinery's
// APIStatus, so apierrors.IsNotFound, IsConflict, IsInvalid and the rest
// work on it.
type StatusError struct {
	ErrStatus metav1.Status
	// Endpoint is the server that answered.
	Endpoint string
	// body is the answer as sent, for calls whose failures carry more
	// than a Status (Apply's per-object report).
	body []byte
}

// Status implements apierrors.APIStatus.
func (e *StatusError) Status() metav1.Status { return e.ErrStatus }

func (e *StatusError) Error() string {
	st := e.ErrStatus
	if st.Code == http.StatusUnauthorized {
		return fmt.Sprintf("the config server at %s refused the credentials (401 %s): check --token, --token-file, %s or %s",
			e.Endpoint, st.Message, EnvToken, EnvTokenFile)
	}
	msg := st.Message
	if msg == "" {
		msg = string(st.Reason)
	}
	// An Invalid message already names its fields; others may not.
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			if c.Field != "" && !strings.Contains(msg, c.Field) {
				msg += "; " + c.Field + ": " + c.Message
			}
		}
	}
	return msg
}

// Causes lists the field errors of a 422 as "field: message".
func (e *StatusError) Causes() []string {
	if e.ErrStatus.Details == nil {
		return nil
	}
	out := make([]string, 0, len(e.ErrStatus.Details.Causes))
	for _, c := range e.ErrStatus.Details.Causes {
		out = append(out, c.Field+": "+c.Message)
	}
	return out
}

// AsStatus returns the StatusError in err's chain, if any.
func AsStatus(err error) (*StatusError, bool) {
	var se *StatusError
	ok := errors.As(err, &se)
	return se, ok
}

// statusFromResponse reads a failed response: a Kubernetes Status when the
// server sent one, else (a proxy's error page, say) one made up from the
// HTTP status and the start of the body.
func statusFromResponse(code int, body []byte) metav1.Status {
	var st metav1.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" && st.Code != 0 {
		return st
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	if msg == "" {
		msg = http.StatusText(code)
	}
	return metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Code: int32(code), Reason: reasonForCode(code),
		Message: fmt.Sprintf("unexpected response %d %s: %s", code, http.StatusText(code), msg),
	}
}

func reasonForCode(code int) metav1.StatusReason {
	switch code {
	case http.StatusUnauthorized:
		return metav1.StatusReasonUnauthorized
	case http.StatusForbidden:
		return metav1.StatusReasonForbidden
	case http.StatusNotFound:
		return metav1.StatusReasonNotFound
	case http.StatusConflict:
		return metav1.StatusReasonConflict
	case http.StatusUnprocessableEntity:
		return metav1.StatusReasonInvalid
	case http.StatusBadRequest:
		return metav1.StatusReasonBadRequest
	case http.StatusServiceUnavailable:
		return metav1.StatusReasonServiceUnavailable
	}
	return metav1.StatusReasonUnknown
}

// UnreachableError is a request that never got an answer.
type UnreachableError struct {
	Endpoint string
	Err      error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the config server at %s: %s", e.Endpoint, describeNetErr(e.Err))
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// describeNetErr says what went wrong in the words an operator searches
// for, without the URL and dial details url.Error repeats.
func describeNetErr(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is the server running, and on this address?)"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "no such host " + dnsErr.Name
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
