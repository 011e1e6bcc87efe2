package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// WatchEvent is one change, or the end of a watch.
type WatchEvent struct {
	// Type is ADDED, MODIFIED, DELETED, or ERROR (the last event).
	Type string
	// Object after the change; for DELETED, its last state.
	Object *unstructured.Unstructured
	// Err, for ERROR: a *StatusError (410 Expired when the watch fell
	// behind the server's history: list again and watch from the list), or
	// the transport failure that broke the stream.
	Err error
}

// Watch streams the changes of a kind in namespace ("" for all) after
// opts.ResourceVersion; without one it first sends every current object as
// ADDED. The channel closes when ctx ends or the stream does; a stream
// that ends for any other reason than ctx ends with an ERROR event.
func (c *Client) Watch(ctx context.Context, gvk schema.GroupVersionKind, namespace string, opts ListOptions) (<-chan WatchEvent, error) {
	k, err := c.KindFor(ctx, gvk)
	if err != nil {
		return nil, err
	}
	q := url.Values{"watch": {"true"}}
	if opts.LabelSelector != "" {
		q.Set("labelSelector", opts.LabelSelector)
	}
	if opts.ResourceVersion != "" {
		q.Set("resourceVersion", opts.ResourceVersion)
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, path: objectPath(k, namespace, ""), query: q})
	if err != nil {
		return nil, err
	}
	out := make(chan WatchEvent)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		c.readEvents(ctx, json.NewDecoder(resp.Body), out)
	}()
	return out, nil
}

// wireEvent is one line of the server's newline-delimited JSON stream.
type wireEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

func (c *Client) readEvents(ctx context.Context, dec *json.Decoder, out chan<- WatchEvent) {
	emit := func(ev WatchEvent) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		var we wireEvent
		err := dec.Decode(&we)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				err = fmt.Errorf("the config server at %s ended the watch (it may be shutting down): watch again from the last resourceVersion", c.Endpoint())
			} else {
				err = fmt.Errorf("the watch stream from the config server at %s broke: %w", c.Endpoint(), err)
			}
			emit(WatchEvent{Type: "ERROR", Err: err})
			return
		}
		ev, err := c.decodeEvent(we)
		if err != nil {
			emit(WatchEvent{Type: "ERROR", Err: err})
			return
		}
		if !emit(ev) || ev.Type == "ERROR" {
			return
		}
	}
}

func (c *Client) decodeEvent(we wireEvent) (WatchEvent, error) {
	if we.Type == "ERROR" {
		var st metav1.Status
		if err := json.Unmarshal(we.Object, &st); err != nil {
			return WatchEvent{}, fmt.Errorf("reading a watch ERROR event: %w", err)
		}
		return WatchEvent{Type: we.Type, Err: &StatusError{ErrStatus: st, Endpoint: c.Endpoint()}}, nil
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(we.Object); err != nil {
		return WatchEvent{}, fmt.Errorf("reading a watch %s event: %w", we.Type, err)
	}
	return WatchEvent{Type: we.Type, Object: obj}, nil
}
