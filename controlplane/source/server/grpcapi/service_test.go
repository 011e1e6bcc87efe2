package grpcapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
)

var httpRouteType = &configv1.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"}

func route(name, ns, app, prefix string) []byte {
	return fmt.Appendf(nil, `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
"metadata":{"name":%q,"namespace":%q,"labels":{"app":%q}},
"spec":{"parentRefs":[{"name":"gw"}],"rules":[{"matches":[{"path":{"type":"PathPrefix","value":%q}}],
"backendRefs":[{"name":"svc","port":8080}]}]}}`, name, ns, app, prefix)
}

func decode(t *testing.T, o *configv1.Object) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(o.GetJson()); err != nil {
		t.Fatalf("object JSON: %v", err)
	}
	return u
}

// wantStatus checks that err is a gRPC status with code and a Kubernetes
// Status detail of httpCode, and returns that Status.
func wantStatus(t *testing.T, err error, code codes.Code, httpCode int32) *metav1.Status {
	t.Helper()
	if status.Code(err) != code {
		t.Fatalf("got %v, want code %v", err, code)
	}
	st, ok := StatusFromError(err)
	if !ok {
		t.Fatalf("error %v carries no KubernetesStatus detail", err)
	}
	if st.Code != httpCode || st.Kind != "Status" {
		t.Fatalf("Status = %+v, want code %d", st, httpCode)
	}
	return st
}

func TestPutGetListDelete(t *testing.T) {
	h := start(t, Options{Token: testToken})
	ctx := authed(t)

	put, err := h.client.Put(ctx, &configv1.PutRequest{Json: route("r1", "team-a", "shop", "/a")})
	if err != nil {
		t.Fatal(err)
	}
	if !put.Created || put.Object.ResourceVersion == "" || put.Object.Namespace != "team-a" || put.Object.Type.Kind != "HTTPRoute" {
		t.Fatalf("create: %+v", put)
	}
	created := decode(t, put.Object)
	if created.GetUID() == "" || created.GetGeneration() != 1 {
		t.Fatalf("created object lacks uid/generation: %s", put.Object.Json)
	}

	got, err := h.client.Get(ctx, &configv1.GetRequest{Type: httpRouteType, Namespace: "team-a", Name: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != put.Object.ResourceVersion || decode(t, got).GetUID() != created.GetUID() {
		t.Fatalf("get: rv %s uid %s, want %s %s", got.ResourceVersion, decode(t, got).GetUID(), put.Object.ResourceVersion, created.GetUID())
	}

	// A spec change through the YAML path, with the kind given by the request.
	yamlBody, err := yaml.JSONToYAML(route("r1", "team-a", "shop", "/b"))
	if err != nil {
		t.Fatal(err)
	}
	upd, err := h.client.Put(ctx, &configv1.PutRequest{Type: httpRouteType, Namespace: "team-a", Name: "r1", Json: yamlBody})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Created || upd.Unchanged || decode(t, upd.Object).GetGeneration() != 2 || decode(t, upd.Object).GetUID() != created.GetUID() {
		t.Fatalf("update: %+v %s", upd, upd.Object.Json)
	}

	if _, err := h.client.Put(ctx, &configv1.PutRequest{Json: route("r2", "team-a", "blog", "/c")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.Put(ctx, &configv1.PutRequest{Json: route("r3", "team-b", "shop", "/d")}); err != nil {
		t.Fatal(err)
	}
	list, err := h.client.List(ctx, &configv1.ListRequest{Type: httpRouteType, LabelSelector: "app=shop"})
	if err != nil {
		t.Fatal(err)
	}
	if names := objectNames(list.Items); names != "team-a/r1 team-b/r3" || list.ResourceVersion == "" {
		t.Fatalf("list app=shop in all namespaces = %q (rv %q)", names, list.ResourceVersion)
	}
	list, err = h.client.List(ctx, &configv1.ListRequest{Type: httpRouteType, Namespace: "team-a"})
	if err != nil {
		t.Fatal(err)
	}
	if names := objectNames(list.Items); names != "team-a/r1 team-a/r2" {
		t.Fatalf("list team-a = %q", names)
	}

	del, err := h.client.Delete(ctx, &configv1.DeleteRequest{Type: httpRouteType, Namespace: "team-a", Name: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if del.Name != "r1" {
		t.Fatalf("delete returned %+v", del)
	}
	_, err = h.client.Get(ctx, &configv1.GetRequest{Type: httpRouteType, Namespace: "team-a", Name: "r1"})
	st := wantStatus(t, err, codes.NotFound, http.StatusNotFound)
	if st.Reason != metav1.StatusReasonNotFound {
		t.Fatalf("reason %q", st.Reason)
	}
}

func objectNames(objs []*configv1.Object) string {
	var s []string
	for _, o := range objs {
		s = append(s, o.Namespace+"/"+o.Name)
	}
	return strings.Join(s, " ")
}

func TestConflict(t *testing.T) {
	h := start(t, Options{Token: testToken})
	ctx := authed(t)
	first, err := h.client.Put(ctx, &configv1.PutRequest{Json: route("r", "default", "x", "/a")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.Put(ctx, &configv1.PutRequest{Json: route("r", "default", "x", "/b")}); err != nil {
		t.Fatal(err)
	}
	// A write based on the first version loses: it must re-read.
	stale := decode(t, first.Object)
	stale.SetLabels(map[string]string{"app": "y"})
	js, _ := stale.MarshalJSON()
	_, err = h.client.Put(ctx, &configv1.PutRequest{Json: js})
	st := wantStatus(t, err, codes.Aborted, http.StatusConflict)
	if st.Reason != metav1.StatusReasonConflict {
		t.Fatalf("reason %q, want Conflict", st.Reason)
	}
	// So does a delete with the stale version as a precondition.
	_, err = h.client.Delete(ctx, &configv1.DeleteRequest{Type: httpRouteType, Name: "r", PreconditionResourceVersion: first.Object.ResourceVersion})
	wantStatus(t, err, codes.Aborted, http.StatusConflict)
	if _, err := h.client.Get(ctx, &configv1.GetRequest{Type: httpRouteType, Name: "r"}); err != nil {
		t.Fatalf("object gone after a failed conditional delete: %v", err)
	}
}

func TestInvalidNamesTheField(t *testing.T) {
	h := start(t, Options{Token: testToken})
	ctx := authed(t)
	_, err := h.client.Put(ctx, &configv1.PutRequest{Json: route("bad", "default", "x", "no-slash")})
	st := wantStatus(t, err, codes.InvalidArgument, http.StatusUnprocessableEntity)
	if st.Reason != metav1.StatusReasonInvalid || st.Details == nil || len(st.Details.Causes) == 0 {
		t.Fatalf("Status = %+v, want Invalid with causes", st)
	}
	const field = "spec.rules[0].matches[0].path"
	if !strings.HasPrefix(st.Details.Causes[0].Field, field) {
		t.Fatalf("cause field %q, want %s...", st.Details.Causes[0].Field, field)
	}
	// Generic gRPC tooling sees the same field as a google.rpc.BadRequest.
	var br *errdetails.BadRequest
	for _, d := range status.Convert(err).Details() {
		if b, ok := d.(*errdetails.BadRequest); ok {
			br = b
		}
	}
	if br == nil || len(br.FieldViolations) != len(st.Details.Causes) || br.FieldViolations[0].Field != st.Details.Causes[0].Field {
		t.Fatalf("BadRequest detail %v does not match causes %+v", br, st.Details.Causes)
	}
	_, err = h.client.Get(ctx, &configv1.GetRequest{Type: httpRouteType, Name: "bad"})
	wantStatus(t, err, codes.NotFound, http.StatusNotFound)

	// A body that is not an object is a 400 naming the problem.
	_, err = h.client.Put(ctx, &configv1.PutRequest{Json: []byte(`{"apiVersion": `)})
	st = wantStatus(t, err, codes.InvalidArgument, http.StatusBadRequest)
	if !strings.Contains(st.Message, "json") {
		t.Fatalf("message %q does not name the body", st.Message)
	}
}

func TestDryRunStoresNothing(t *testing.T) {
	h := start(t, Options{Token: testToken})
	ctx := authed(t)
	res, err := h.client.Put(ctx, &configv1.PutRequest{Json: route("r", "default", "x", "/a"), DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Object.Name != "r" {
		t.Fatalf("dry-run result %+v", res)
	}
	_, err = h.client.Get(ctx, &configv1.GetRequest{Type: httpRouteType, Name: "r"})
	wantStatus(t, err, codes.NotFound, http.StatusNotFound)
}

func TestUnauthenticated(t *testing.T) {
	h := start(t, Options{Token: testToken})
	cases := []struct {
		name string
		md   []string
	}{
		{"no credentials", nil},
		{"wrong token", []string{"authorization", "Bearer nope"}},
		{"wrong scheme", []string{"authorization", "Basic " + testToken}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			if c.md != nil {
				ctx = withMD(ctx, c.md...)
			}
			_, err := h.client.Get(ctx, &configv1.GetRequest{Type: httpRouteType, Name: "r"})
			st := wantStatus(t, err, codes.Unauthenticated, http.StatusUnauthorized)
			if st.Reason != metav1.StatusReasonUnauthorized {
				t.Fatalf("reason %q", st.Reason)
			}
			// Streams are guarded too.
			w, err := h.client.Watch(ctx, &configv1.WatchRequest{Type: httpRouteType})
			if err == nil {
				_, err = w.Recv()
			}
			wantStatus(t, err, codes.Unauthenticated, http.StatusUnauthorized)
		})
	}
	// The right token in any case of the scheme is admitted.
	_, err := h.client.List(withMD(t.Context(), "authorization", "bearer "+testToken), &configv1.ListRequest{Type: httpRouteType})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNewRefusesAnOpenServer(t *testing.T) {
	if _, err := New(nil, Options{}); err == nil {
		t.Fatal("New admitted a server with neither a token nor client certificates")
	}
}

func TestKinds(t *testing.T) {
	h := start(t, Options{Token: testToken})
	res, err := h.client.Kinds(authed(t), &configv1.KindsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]*configv1.Kind{}
	for _, k := range res.Kinds {
		found[k.Type.Group+"/"+k.Type.Version+"/"+k.Type.Kind] = k
	}
	hr := found["gateway.networking.k8s.io/v1/HTTPRoute"]
	gc := found["gateway.networking.k8s.io/v1/GatewayClass"]
	svc := found["/v1/Service"]
	if hr == nil || hr.Resource != "httproutes" || !hr.Namespaced || !hr.HasStatus {
		t.Fatalf("HTTPRoute: %+v", hr)
	}
	if gc == nil || gc.Namespaced {
		t.Fatalf("GatewayClass: %+v", gc)
	}
	if svc == nil || svc.Resource != "services" {
		t.Fatalf("Service: %+v", svc)
	}
}

func TestStatusJSONRoundTrip(t *testing.T) {
	// The detail is the Status exactly as the HTTP API writes it.
	in := &metav1.Status{Status: metav1.StatusFailure, Code: 422, Reason: metav1.StatusReasonInvalid, Message: "m",
		Details: &metav1.StatusDetails{Name: "n", Causes: []metav1.StatusCause{{Field: "spec.x", Message: "bad"}}}}
	out, ok := StatusFromError(statusError(in))
	if !ok {
		t.Fatal("no Status recovered")
	}
	a, _ := json.Marshal(in)
	b, _ := json.Marshal(out)
	if string(a) != string(b) {
		t.Fatalf("round trip: %s != %s", a, b)
	}
}
