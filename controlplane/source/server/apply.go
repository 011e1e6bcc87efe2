package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// ApplyAction is what Apply did with one object.
type ApplyAction string

const (
	ActionCreated    ApplyAction = "created"
	ActionConfigured ApplyAction = "configured"
	ActionUnchanged  ApplyAction = "unchanged"
	// ActionRejected: the object is invalid, or its write failed.
	ActionRejected ApplyAction = "rejected"
	// ActionSkipped: the object is valid but was not written because
	// another object of the same apply was rejected during validation.
	ActionSkipped ApplyAction = "skipped"
)

// ApplyResult reports an Apply, one item per object in input order.
type ApplyResult struct {
	metav1.TypeMeta `json:",inline"`
	Items           []ApplyItem `json:"items"`
}

// ApplyItem is one object of an Apply.
type ApplyItem struct {
	// Document is the 0-based index among the input's non-empty YAML
	// documents; Index is the position in a List document's items.
	Document   int    `json:"document"`
	Index      *int   `json:"index,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
	// Action is what happened (for a dry-run: what would happen).
	Action          ApplyAction `json:"action"`
	ResourceVersion string      `json:"resourceVersion,omitempty"`
	Warnings        []string    `json:"warnings,omitempty"`
	// Status says why the object was rejected.
	Status *metav1.Status `json:"status,omitempty"`
	// Object is, for a dry-run, the object with the status it would get.
	Object *unstructured.Unstructured `json:"object,omitempty"`
}

// applyParallelism bounds the writes of one Apply in flight; the store
// batches concurrent writes into shared fsyncs.
const applyParallelism = 16

// Apply creates or replaces every object of a multi-document YAML or JSON
// stream, like `kubectl apply -f` (but replacing, as PUT does, rather than
// merging). Validation is all or nothing: every object is validated
// against the store first, and if any is rejected nothing is written.
// Then each object is written on its own; the store has no multi-object
// transactions, so a write that fails then (a conflict with a concurrent
// writer) is reported on its item while the others stand.
//
// The error is nil when every object was applied; otherwise it is the
// Status to answer with (the first rejection's code, 422 if any object
// was invalid), and the result still says what happened to each object.
// Undecodable input returns no result and a 400.
func (a *API) Apply(ctx context.Context, data []byte, opts WriteOptions) (*ApplyResult, error) {
	entries, err := a.parseApply(data)
	if err != nil {
		return nil, err
	}
	res := &ApplyResult{TypeMeta: metav1.TypeMeta{APIVersion: resource.APIVersion, Kind: "ApplyResult"}, Items: make([]ApplyItem, len(entries))}
	ps := make([]*prepared, len(entries))
	parallel(len(entries), applyParallelism, func(i int) {
		e := &entries[i]
		res.Items[i] = e.item
		if e.err != nil {
			return
		}
		ps[i], e.err = a.prepare(ctx, e.kind, "", "", e.obj, false, opts.FieldValidation)
	})
	markDuplicates(entries, ps)
	if rejected := reject(res, entries); rejected != nil {
		return res, rejected
	}
	if opts.DryRun {
		for i, r := range a.dryRun(ctx, ps) {
			res.Items[i].record(r)
			res.Items[i].Object = r.Object
		}
		return res, nil
	}
	parallel(len(entries), applyParallelism, func(i int) {
		r, err := a.commit(ctx, ps[i], entries[i], opts)
		if err != nil {
			res.Items[i].Action, res.Items[i].Status = ActionRejected, StatusOf(err)
			return
		}
		res.Items[i].record(r)
	})
	return res, firstFailure(res)
}

// commit writes a prepared object, or redoes the write from scratch if the
// store changed since it was validated.
func (a *API) commit(ctx context.Context, p *prepared, e applyEntry, opts WriteOptions) (*WriteResult, error) {
	if p.unchanged {
		return p.result(p.old.Revision), nil
	}
	rev, err := a.st.Put(ctx, p.key, p.value, p.expectRev)
	if err == nil {
		return p.result(rev), nil
	}
	if !p.conditional && (errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound)) {
		return a.writeMap(ctx, e.kind, "", "", e.obj, false, opts)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, conflict(p.kind, p.name)
	}
	return nil, fromStore(p.kind, p.name, err)
}

func (it *ApplyItem) record(r *WriteResult) {
	switch {
	case r.Created:
		it.Action = ActionCreated
	case r.Unchanged:
		it.Action = ActionUnchanged
	default:
		it.Action = ActionConfigured
	}
	it.Namespace = r.Object.GetNamespace()
	it.ResourceVersion = r.Object.GetResourceVersion()
	it.Warnings = r.Warnings
}

// applyEntry is one object of the input.
type applyEntry struct {
	item ApplyItem
	kind Kind
	obj  map[string]any
	err  error
}

// parseApply splits the input into objects; List documents contribute
// their items. Only a stream that cannot be read at all fails as a whole.
func (a *API) parseApply(data []byte) ([]applyEntry, error) {
	docs, err := splitYAML(data)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	if len(docs) == 0 {
		return nil, badRequestf("no objects in the request body")
	}
	var out []applyEntry
	for d, doc := range docs {
		obj, err := decodeYAMLDoc(doc)
		if err != nil {
			return nil, badRequestf("document %d: %v", d, err)
		}
		items, isList := obj["items"].([]any)
		if kind, _ := obj["kind"].(string); !isList || (kind != "List" && !hasListSuffix(kind)) {
			out = append(out, a.entry(d, nil, obj))
			continue
		}
		for i, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, badRequestf("document %d: items[%d]: want an object", d, i)
			}
			out = append(out, a.entry(d, &i, m))
		}
	}
	return out, nil
}

func hasListSuffix(kind string) bool { return len(kind) > 4 && kind[len(kind)-4:] == "List" }

func decodeYAMLDoc(doc []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, fmt.Errorf("invalid YAML: %v", err)
	}
	return decodeJSONObject(j)
}

func (a *API) entry(doc int, index *int, obj map[string]any) applyEntry {
	u := metaOf(obj)
	e := applyEntry{obj: obj, item: ApplyItem{
		Document: doc, Index: index, APIVersion: u.GetAPIVersion(), Kind: u.GetKind(),
		Namespace: u.GetNamespace(), Name: u.GetName(),
	}}
	gv, err := schema.ParseGroupVersion(u.GetAPIVersion())
	switch {
	case u.GetAPIVersion() == "" || u.GetKind() == "":
		e.err = badRequestf("%s: apiVersion and kind are required", e.item.where())
	case err != nil:
		e.err = badRequestf("%s: apiVersion: %v", e.item.where(), err)
	default:
		e.kind, e.err = a.kinds.forKind(gv.WithKind(u.GetKind()))
	}
	return e
}

func (it ApplyItem) where() string {
	s := "document " + strconv.Itoa(it.Document)
	if it.Index != nil {
		s += fmt.Sprintf(" items[%d]", *it.Index)
	}
	return s
}

// markDuplicates rejects the second definition of an object: which one
// should win is the author's call, not ours.
func markDuplicates(entries []applyEntry, ps []*prepared) {
	first := map[store.Key]int{}
	for i, p := range ps {
		if p == nil || entries[i].err != nil {
			continue
		}
		if j, dup := first[p.key]; dup {
			entries[i].err = badRequestf("%s: %s %s is also defined by %s", entries[i].item.where(), p.kind.Kind, p.key.Namespace+"/"+p.name, entries[j].item.where())
			continue
		}
		first[p.key] = i
	}
}

// reject fills the items of a failed validation and returns the Status of
// the whole request, or nil if every object passed.
func reject(res *ApplyResult, entries []applyEntry) error {
	var failed []int
	for i, e := range entries {
		if e.err != nil {
			failed = append(failed, i)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	for i, e := range entries {
		res.Items[i].Action = ActionSkipped
		if e.err != nil {
			res.Items[i].Action, res.Items[i].Status = ActionRejected, StatusOf(e.err)
		}
	}
	return summary(res, len(failed), "nothing was applied")
}

func firstFailure(res *ApplyResult) error {
	n := 0
	for _, it := range res.Items {
		if it.Action == ActionRejected {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return summary(res, n, "the other objects were applied")
}

// summary is the request's Status: the code of the first rejection, or 422
// if any object was invalid, since that is what a client must fix.
func summary(res *ApplyResult, failed int, outcome string) error {
	code, reason := int32(0), metav1.StatusReason("")
	var causes []metav1.StatusCause
	for _, it := range res.Items {
		if it.Status == nil {
			continue
		}
		if code == 0 || it.Status.Code == http.StatusUnprocessableEntity {
			code, reason = it.Status.Code, it.Status.Reason
		}
		causes = append(causes, metav1.StatusCause{Field: it.where(), Message: it.Status.Message})
	}
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: code, Reason: reason,
		Message: fmt.Sprintf("%d of %d objects were rejected; %s", failed, len(res.Items), outcome),
		Details: &metav1.StatusDetails{Causes: causes},
	}}
}

// parallel runs fn(0..n-1) with at most limit at once.
func parallel(n, limit int, fn func(i int)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}
