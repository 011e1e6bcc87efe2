package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Get returns one object. namespace "" means "default" for namespaced kinds.
func (c *Client) Get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	if !notBlank(name) {
		return nil, errNoName
	}
	k, err := c.KindFor(ctx, gvk)
	if err != nil {
		return nil, err
	}
	out, _, err := c.doObject(ctx, request{method: http.MethodGet, path: objectPath(k, defaultNS(k, namespace), name)})
	return out, err
}

// ListOptions select objects for List and Watch.
type ListOptions struct {
	// LabelSelector in the Kubernetes syntax ("app=x,tier!=db").
	LabelSelector string
	// ResourceVersion (Watch only): send the changes after it.
	ResourceVersion string
}

// List returns the objects of a kind in namespace, or in every namespace
// when namespace is "". Its resourceVersion is where a Watch resumes.
func (c *Client) List(ctx context.Context, gvk schema.GroupVersionKind, namespace string, opts ListOptions) (*unstructured.UnstructuredList, error) {
	k, err := c.KindFor(ctx, gvk)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts.LabelSelector != "" {
		q.Set("labelSelector", opts.LabelSelector)
	}
	var raw json.RawMessage
	if _, err := c.doJSON(ctx, request{method: http.MethodGet, path: objectPath(k, namespace, ""), query: q}, &raw); err != nil {
		return nil, err
	}
	list := &unstructured.UnstructuredList{}
	if err := list.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("reading the %s list: %w", k.Resource, err)
	}
	return list, nil
}

// WriteOptions tune Put and Apply.
type WriteOptions struct {
	// DryRun validates and translates, stores nothing, and returns the
	// object with the status it would get.
	DryRun bool
	// FieldValidation is Strict (the server's default), Warn or Ignore.
	FieldValidation string
}

func (o WriteOptions) query() url.Values {
	q := url.Values{}
	if o.DryRun {
		q.Set("dryRun", metav1.DryRunAll)
	}
	if o.FieldValidation != "" {
		q.Set("fieldValidation", o.FieldValidation)
	}
	return q
}

// WriteResult is the outcome of a Put.
type WriteResult struct {
	// Object is the object as stored (for a dry-run, as it would be).
	Object *unstructured.Unstructured
	// Created: the object did not exist before.
	Created bool
	// Warnings the server sent, such as unknown fields it dropped.
	Warnings []string
}

// Put creates or replaces obj, found by its apiVersion, kind, namespace
// and name. A metadata.resourceVersion in obj is a precondition: the
// server answers 409 Conflict unless it is the stored one.
func (c *Client) Put(ctx context.Context, obj *unstructured.Unstructured, opts WriteOptions) (*WriteResult, error) {
	k, err := c.KindFor(ctx, obj.GroupVersionKind())
	if err != nil {
		return nil, err
	}
	if !notBlank(obj.GetName()) {
		return nil, errNoName
	}
	body, err := obj.MarshalJSON()
	if err != nil {
		return nil, err
	}
	out, resp, err := c.doObject(ctx, request{
		method: http.MethodPut, path: objectPath(k, defaultNS(k, obj.GetNamespace()), obj.GetName()),
		query: opts.query(), body: body, ctype: "application/json",
	})
	if err != nil {
		return nil, err
	}
	return &WriteResult{Object: out, Created: resp.StatusCode == http.StatusCreated, Warnings: warnings(resp.Header)}, nil
}

// DryRun is Put with DryRun set: what the server would make of obj,
// including the status the translator would give it.
func (c *Client) DryRun(ctx context.Context, obj *unstructured.Unstructured) (*WriteResult, error) {
	return c.Put(ctx, obj, WriteOptions{DryRun: true})
}

// DeleteOptions tune Delete.
type DeleteOptions struct {
	DryRun bool
	// ResourceVersion and UID, if set, are preconditions: 409 Conflict
	// unless the stored object still has them.
	ResourceVersion string
	UID             string
}

// Delete removes an object and returns its last state.
func (c *Client) Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string, opts DeleteOptions) (*unstructured.Unstructured, error) {
	if !notBlank(name) {
		return nil, errNoName
	}
	k, err := c.KindFor(ctx, gvk)
	if err != nil {
		return nil, err
	}
	r := request{method: http.MethodDelete, path: objectPath(k, defaultNS(k, namespace), name)}
	if opts.DryRun {
		r.query = url.Values{"dryRun": {metav1.DryRunAll}}
	}
	if opts.ResourceVersion != "" || opts.UID != "" {
		do := map[string]any{"apiVersion": "v1", "kind": "DeleteOptions"}
		pre := map[string]any{}
		if opts.ResourceVersion != "" {
			pre["resourceVersion"] = opts.ResourceVersion
		}
		if opts.UID != "" {
			pre["uid"] = opts.UID
		}
		do["preconditions"] = pre
		r.body, r.ctype = mustJSON(do), "application/json"
	}
	out, _, err := c.doObject(ctx, r)
	return out, err
}

// doObject sends r and reads the object it answers with. Numbers become
// int64 where whole, as Kubernetes clients read them, so that
// GetGeneration and the like work.
func (c *Client) doObject(ctx context.Context, r request) (*unstructured.Unstructured, *http.Response, error) {
	var raw json.RawMessage
	resp, err := c.doJSON(ctx, r, &raw)
	if err != nil {
		return nil, nil, err
	}
	out := &unstructured.Unstructured{}
	if err := out.UnmarshalJSON(raw); err != nil {
		return nil, nil, fmt.Errorf("reading the answer to %s %s: %w", r.method, r.path, err)
	}
	return out, resp, nil
}

// defaultNS is the namespace a request for k names: kubectl's "default"
// for namespaced kinds when none is given.
func defaultNS(k Kind, ns string) string {
	if k.Namespaced && ns == "" {
		return "default"
	}
	return ns
}

// warnings reads RFC 7234 Warning headers ("299 - \"text\"").
func warnings(h http.Header) []string {
	var out []string
	for _, w := range h.Values("Warning") {
		parts := strings.SplitN(w, " ", 3)
		if len(parts) == 3 {
			if s, err := strconv.Unquote(parts[2]); err == nil {
				out = append(out, s)
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps decoded from JSON come here
	}
	return b
}
