package grpcapi

import (
	"context"
	"encoding/json"
	"net"
	"testing"

	"google.golang.org/grpc/credentials/insecure"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

// TestSameAnswersAsHTTP puts the gRPC API over a running Config Server's
// core and checks that both transports answer the same requests with the
// same objects and the same Kubernetes Status.
func TestSameAnswersAsHTTP(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	hc, err := apiclient.New(apiclient.Options{Endpoint: s.Endpoint, Token: s.Token})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(s.API, Options{Token: s.Token})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	t.Cleanup(func() { cancel(); <-done })
	gc := dial(t, lis.Addr().String(), insecure.NewCredentials())
	gctx := withToken(t.Context(), s.Token)

	// Invalid: the same 422, field for field.
	bad := route("bad", "default", "x", "no-slash")
	_, gerr := gc.Put(gctx, &configv1.PutRequest{Json: bad})
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(bad); err != nil {
		t.Fatal(err)
	}
	_, herr := hc.Put(t.Context(), u, apiclient.WriteOptions{})
	gst, ok := StatusFromError(gerr)
	hse, hok := apiclient.AsStatus(herr)
	if !ok || !hok {
		t.Fatalf("grpc %v / http %v: want Statuses from both", gerr, herr)
	}
	if a, b := mustJSON(t, gst), mustJSON(t, hse.ErrStatus); a != b {
		t.Fatalf("gRPC Status\n%s\ndiffers from HTTP Status\n%s", a, b)
	}

	// Written over gRPC, read over HTTP: the same object.
	put, err := gc.Put(gctx, &configv1.PutRequest{Json: route("r", "default", "x", "/a")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := hc.Get(t.Context(), u.GroupVersionKind(), "default", "r")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustJSON(t, decode(t, put.Object).Object), mustJSON(t, got.Object); a != b {
		t.Fatalf("gRPC wrote\n%s\nHTTP read\n%s", a, b)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
