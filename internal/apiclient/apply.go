package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ApplyResult is the server's report of an Apply, one item per object.
type ApplyResult struct {
	Items []ApplyItem `json:"items"`
}

// ApplyItem is what happened to one object of an Apply.
type ApplyItem struct {
	// File is for callers that join several files into one Apply (the
	// CLI) to note where the object came from; the server does not set it.
	File string `json:"file,omitempty"`
	// Document is the 0-based index among the input's non-empty YAML
	// documents; Index is the position in a List document's items.
	Document   int    `json:"document"`
	Index      *int   `json:"index,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
	// Action is created, configured, unchanged, rejected, or skipped
	// (valid, but not written because another object was rejected).
	Action          string         `json:"action"`
	ResourceVersion string         `json:"resourceVersion,omitempty"`
	Warnings        []string       `json:"warnings,omitempty"`
	Status          *metav1.Status `json:"status,omitempty"`
	// Object is, for a dry-run, the object with the status it would get.
	Object *unstructured.Unstructured `json:"object,omitempty"`
}

// Apply creates or replaces every object of a multi-document YAML or JSON
// stream, like kubectl apply -f. The server validates all of them first
// and writes none if any is invalid. When it rejects objects, Apply returns
// the report and a *StatusError both, so the caller can say which objects
// failed and why.
func (c *Client) Apply(ctx context.Context, manifests []byte, opts WriteOptions) (*ApplyResult, error) {
	resp, err := c.do(ctx, request{method: http.MethodPost, path: "/apply", query: opts.query(), body: manifests, ctype: "application/yaml"})
	if err != nil {
		se, ok := AsStatus(err)
		if !ok {
			return nil, err
		}
		return rejectedApply(se)
	}
	defer resp.Body.Close()
	var res ApplyResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return nil, fmt.Errorf("reading the apply report: %w", err)
	}
	return &res, nil
}

// rejectedApply reads the report a failed Apply answers with (the HTTP
// status says how it failed, the body what happened to each object) and
// sums it up as the Status of the whole call, one cause per rejection.
func rejectedApply(se *StatusError) (*ApplyResult, error) {
	var res struct {
		Kind string `json:"kind"`
		ApplyResult
	}
	if json.Unmarshal(se.body, &res) != nil || res.Kind != "ApplyResult" {
		return nil, se // a plain Status: the input could not be read at all
	}
	st := &se.ErrStatus
	st.Reason = reasonForCode(int(st.Code))
	st.Details = &metav1.StatusDetails{}
	rejected, written := 0, 0
	for _, it := range res.Items {
		switch {
		case it.Action == "rejected" && it.Status != nil:
			rejected++
			st.Details.Causes = append(st.Details.Causes, metav1.StatusCause{Field: it.where(), Message: it.Status.Message})
		case it.Action != "rejected" && it.Action != "skipped":
			written++
		}
	}
	outcome := "nothing was applied"
	if written > 0 {
		outcome = "the other objects were applied"
	}
	st.Message = fmt.Sprintf("%d of %d objects were rejected; %s", rejected, len(res.Items), outcome)
	return &res.ApplyResult, se
}

// where names an item as a person finds it in the input.
func (it ApplyItem) where() string {
	s := fmt.Sprintf("document %d", it.Document)
	if it.Index != nil {
		s += fmt.Sprintf(" items[%d]", *it.Index)
	}
	if it.Kind != "" || it.Name != "" {
		name := it.Name
		if it.Namespace != "" {
			name = it.Namespace + "/" + name
		}
		s += " (" + strings.TrimSpace(it.Kind+" "+name) + ")"
	}
	return s
}
