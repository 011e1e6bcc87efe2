package apiclient_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

var (
	httpRoute    = schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"}
	gatewayClass = schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "GatewayClass"}
)

func newClient(t *testing.T, s *apiclienttest.Server) *apiclient.Client {
	t.Helper()
	c, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, Token: s.Token})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(y), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func routeYAML(name, prefix string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ` + name + `
  namespace: team-a
  labels: {app: shop}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: "` + prefix + `"}}]
    backendRefs: [{name: svc, port: 8080}]
`
}

func TestPutGetListDelete(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c := newClient(t, s)
	ctx := t.Context()

	res, err := c.Put(ctx, obj(t, routeYAML("r1", "/a")), apiclient.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Object.GetResourceVersion() == "" || res.Object.GetUID() == "" {
		t.Fatalf("create: created=%v %v", res.Created, res.Object.Object["metadata"])
	}
	again, err := c.Put(ctx, obj(t, routeYAML("r1", "/b")), apiclient.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || again.Object.GetGeneration() != 2 {
		t.Fatalf("replace: created=%v generation=%d", again.Created, again.Object.GetGeneration())
	}
	got, err := c.Get(ctx, httpRoute, "team-a", "r1")
	if err != nil {
		t.Fatal(err)
	}
	if got.GetResourceVersion() != again.Object.GetResourceVersion() {
		t.Fatalf("get rv %s, want %s", got.GetResourceVersion(), again.Object.GetResourceVersion())
	}
	other := obj(t, routeYAML("r2", "/c"))
	other.SetLabels(map[string]string{"app": "blog"})
	if _, err := c.Put(ctx, other, apiclient.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	list, err := c.List(ctx, httpRoute, "", apiclient.ListOptions{LabelSelector: "app=shop"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].GetName() != "r1" || list.GetResourceVersion() == "" {
		t.Fatalf("list app=shop: %d items, rv %q", len(list.Items), list.GetResourceVersion())
	}

	if _, err := c.Delete(ctx, httpRoute, "team-a", "r1", apiclient.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(ctx, httpRoute, "team-a", "r1")
	if !apierrors.IsNotFound(err) {
		t.Fatalf("after delete: %v, want NotFound", err)
	}
	se, ok := apiclient.AsStatus(err)
	if !ok || se.ErrStatus.Code != http.StatusNotFound {
		t.Fatalf("error %T %v is not a 404 StatusError", err, err)
	}
}

func TestInvalidNamesTheField(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c := newClient(t, s)
	_, err := c.Put(t.Context(), obj(t, routeYAML("bad", "no-slash")), apiclient.WriteOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("got %v, want 422 Invalid", err)
	}
	se, _ := apiclient.AsStatus(err)
	causes := se.Causes()
	if len(causes) == 0 || !strings.HasPrefix(causes[0], "spec.rules[0].matches[0].path") {
		t.Fatalf("causes %q", causes)
	}
	if !strings.Contains(err.Error(), "spec.rules[0].matches[0].path") {
		t.Fatalf("message %q does not name the field", err)
	}
	if _, err := c.Get(t.Context(), httpRoute, "team-a", "bad"); !apierrors.IsNotFound(err) {
		t.Fatalf("invalid object was stored: %v", err)
	}
}

func TestConflict(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c := newClient(t, s)
	first, err := c.Put(t.Context(), obj(t, routeYAML("r", "/a")), apiclient.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(t.Context(), obj(t, routeYAML("r", "/b")), apiclient.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Put(t.Context(), first.Object, apiclient.WriteOptions{})
	if !apierrors.IsConflict(err) {
		t.Fatalf("stale write: %v, want 409 Conflict", err)
	}
	_, err = c.Delete(t.Context(), httpRoute, "team-a", "r", apiclient.DeleteOptions{ResourceVersion: first.Object.GetResourceVersion()})
	if !apierrors.IsConflict(err) {
		t.Fatalf("stale delete: %v, want 409 Conflict", err)
	}
}

func TestBadToken(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	for name, tok := range map[string]string{"wrong": "not-the-token", "none": ""} {
		t.Run(name, func(t *testing.T) {
			c, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, Token: tok})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Version(t.Context())
			if !apierrors.IsUnauthorized(err) {
				t.Fatalf("got %v, want 401", err)
			}
			if !strings.Contains(err.Error(), "refused the credentials") || !strings.Contains(err.Error(), s.Endpoint) {
				t.Fatalf("message %q", err)
			}
		})
	}
}

func TestTokenFile(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, TokenFile: s.TokenFile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Version(t.Context()); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, TokenFile: missing}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing token file: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	// A port nothing listens on: bind one, then let it go.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := apiclient.New(apiclient.Options{Endpoint: addr, Token: "x"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(t.Context(), httpRoute, "default", "r")
	want := "cannot reach the config server at http://" + addr + ": connection refused"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %q...", err, want)
	}
	var ue *apiclient.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("%T is not an UnreachableError", err)
	}
}

func TestWithEnv(t *testing.T) {
	t.Setenv(apiclient.EnvEndpoint, "http://env:1")
	t.Setenv(apiclient.EnvToken, "env-token")
	t.Setenv(apiclient.EnvTokenFile, "/env/file")
	o := apiclient.Options{}.WithEnv()
	if o.Endpoint != "http://env:1" || o.Token != "env-token" || o.TokenFile != "" {
		t.Fatalf("from env: %+v", o)
	}
	o = apiclient.Options{Endpoint: "http://flag:1", TokenFile: "/flag/file"}.WithEnv()
	if o.Endpoint != "http://flag:1" || o.Token != "" || o.TokenFile != "/flag/file" {
		t.Fatalf("explicit settings must win: %+v", o)
	}
	t.Setenv(apiclient.EnvToken, "")
	o = apiclient.Options{}.WithEnv()
	if o.TokenFile != "/env/file" {
		t.Fatalf("token file from env: %+v", o)
	}
}

func TestEndpointForms(t *testing.T) {
	for _, bad := range []string{"ftp://x:1", "http://", "://"} {
		if _, err := apiclient.New(apiclient.Options{Endpoint: bad}); err == nil {
			t.Errorf("endpoint %q accepted", bad)
		}
	}
	c, err := apiclient.New(apiclient.Options{Endpoint: "127.0.0.1:9/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != "http://127.0.0.1:9" {
		t.Fatalf("bare host:port became %s", c.Endpoint())
	}
	c, err = apiclient.New(apiclient.Options{Endpoint: "127.0.0.1:9", TLS: apiclient.TLSOptions{InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != "https://127.0.0.1:9" {
		t.Fatalf("bare host:port with TLS became %s", c.Endpoint())
	}
}

func TestResolveKind(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c := newClient(t, s)
	cases := map[string]string{
		"httproute":                            "gateway.networking.k8s.io/v1, Kind=HTTPRoute",
		"HTTPRoutes":                           "gateway.networking.k8s.io/v1, Kind=HTTPRoute",
		"HTTPRoute":                            "gateway.networking.k8s.io/v1, Kind=HTTPRoute",
		"httproutes.gateway.networking.k8s.io": "gateway.networking.k8s.io/v1, Kind=HTTPRoute",
		"gw":                                   "gateway.networking.k8s.io/v1, Kind=Gateway",
		"gc":                                   "gateway.networking.k8s.io/v1, Kind=GatewayClass",
		"svc":                                  "/v1, Kind=Service",
		"backend":                              "envoygateway.dev/v1alpha1, Kind=Backend",
	}
	for in, want := range cases {
		k, err := c.ResolveKind(t.Context(), in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if k.GroupVersionKind.String() != want {
			t.Errorf("%s resolved to %s, want %s", in, k.GroupVersionKind, want)
		}
	}
	_, err := c.ResolveKind(t.Context(), "deployment")
	if err == nil || !strings.Contains(err.Error(), "httproutes") {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestWatch(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c := newClient(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if _, err := c.Put(ctx, obj(t, routeYAML("a", "/a")), apiclient.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	list, err := c.List(ctx, httpRoute, "team-a", apiclient.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Put(ctx, obj(t, routeYAML("b", "/b")), apiclient.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	events, err := c.Watch(ctx, httpRoute, "team-a", apiclient.ListOptions{ResourceVersion: list.GetResourceVersion()})
	if err != nil {
		t.Fatal(err)
	}
	ev := next(t, events)
	if ev.Type != "ADDED" || ev.Object.GetName() != "b" || ev.Object.GetResourceVersion() != b.Object.GetResourceVersion() {
		t.Fatalf("first event after the list: %s %v", ev.Type, ev.Object)
	}
	if _, err := c.Delete(ctx, httpRoute, "team-a", "a", apiclient.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, events); ev.Type != "DELETED" || ev.Object.GetName() != "a" {
		t.Fatalf("after delete: %s %v", ev.Type, ev.Err)
	}
	cancel()
	for range events { // closes once ctx ends
	}
}

func next(t *testing.T, events <-chan apiclient.WatchEvent) apiclient.WatchEvent {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("watch closed")
		}
		return ev
	case <-time.After(15 * time.Second):
		t.Fatal("no watch event")
	}
	panic("unreachable")
}
