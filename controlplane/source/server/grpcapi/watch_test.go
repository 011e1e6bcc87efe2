package grpcapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
)

// recvN reads n events, failing the test rather than hanging if they do
// not come.
func recvN(t *testing.T, w configv1.ConfigService_WatchClient, n int) []*configv1.WatchEvent {
	t.Helper()
	type result struct {
		ev  *configv1.WatchEvent
		err error
	}
	ch := make(chan result, 1)
	var out []*configv1.WatchEvent
	for range n {
		go func() {
			ev, err := w.Recv()
			ch <- result{ev, err}
		}()
		select {
		case r := <-ch:
			if r.err != nil {
				t.Fatalf("after %d events: %v", len(out), r.err)
			}
			out = append(out, r.ev)
		case <-time.After(10 * time.Second):
			t.Fatalf("timed out after %d of %d events", len(out), n)
		}
	}
	return out
}

func eventString(evs []*configv1.WatchEvent) []string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Type+" "+e.Object.Name+"@"+e.Object.ResourceVersion)
	}
	return s
}

func TestWatchResumes(t *testing.T) {
	h := start(t, Options{Token: testToken})
	ctx := authed(t)
	put := func(name, prefix string) string {
		t.Helper()
		r, err := h.client.Put(ctx, &configv1.PutRequest{Json: route(name, "default", "x", prefix)})
		if err != nil {
			t.Fatal(err)
		}
		return r.Object.ResourceVersion
	}
	rv1 := put("a", "/a")
	rv2 := put("b", "/b")
	rv3 := put("a", "/a2")

	// From rv1: exactly the changes after it, in order.
	w, err := h.client.Watch(ctx, &configv1.WatchRequest{Type: httpRouteType, ResourceVersion: rv1})
	if err != nil {
		t.Fatal(err)
	}
	got := eventString(recvN(t, w, 2))
	want := []string{"ADDED b@" + rv2, "MODIFIED a@" + rv3}
	if !equal(got, want) {
		t.Fatalf("events from %s: %v, want %v", rv1, got, want)
	}
	// Then live changes, deletes included.
	if _, err := h.client.Delete(ctx, &configv1.DeleteRequest{Type: httpRouteType, Name: "b"}); err != nil {
		t.Fatal(err)
	}
	ev := recvN(t, w, 1)[0]
	if ev.Type != "DELETED" || ev.Object.Name != "b" {
		t.Fatalf("after delete: %s %s", ev.Type, ev.Object.Name)
	}

	// Without a resourceVersion: the current objects as ADDED first.
	w2, err := h.client.Watch(ctx, &configv1.WatchRequest{Type: httpRouteType})
	if err != nil {
		t.Fatal(err)
	}
	got = eventString(recvN(t, w2, 1))
	if !equal(got, []string{"ADDED a@" + rv3}) {
		t.Fatalf("initial events %v", got)
	}

	// A malformed resourceVersion is the client's error.
	w3, err := h.client.Watch(ctx, &configv1.WatchRequest{Type: httpRouteType, ResourceVersion: "yesterday"})
	if err == nil {
		_, err = w3.Recv()
	}
	wantStatus(t, err, codes.InvalidArgument, http.StatusBadRequest)
}

func TestWatchEndsOnShutdown(t *testing.T) {
	h := start(t, Options{Token: testToken})
	ctx, cancel := context.WithCancel(authed(t))
	defer cancel()
	if _, err := h.client.Put(ctx, &configv1.PutRequest{Json: route("a", "default", "x", "/a")}); err != nil {
		t.Fatal(err)
	}
	w, err := h.client.Watch(ctx, &configv1.WatchRequest{Type: httpRouteType})
	if err != nil {
		t.Fatal(err)
	}
	recvN(t, w, 1) // the server is in the watch loop now
	errc := make(chan error, 1)
	go func() {
		_, err := w.Recv()
		errc <- err
	}()
	h.stop()
	select {
	case err := <-errc:
		if errors.Is(err, io.EOF) {
			t.Fatal("watch ended with EOF; want UNAVAILABLE so clients resume")
		}
		wantStatus(t, err, codes.Unavailable, http.StatusServiceUnavailable)
	case <-time.After(20 * time.Second):
		t.Fatal("watch still open after the server stopped")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
