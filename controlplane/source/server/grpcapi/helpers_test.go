package grpcapi

import (
	"context"
	"crypto/tls"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/bolt"
)

const testToken = "s3cret-token"

// The Validator compiles hundreds of CEL rules; every test shares one, as
// a server process does.
var sharedValidator = sync.OnceValues(validation.New)

type harness struct {
	addr   string
	client configv1.ConfigServiceClient
	cancel context.CancelFunc
	done   chan error
}

// start runs a gRPC server over a real bbolt file on 127.0.0.1:0 and
// returns a client that sends the token.
func start(t *testing.T, opts Options) *harness {
	t.Helper()
	v, err := sharedValidator()
	if err != nil {
		t.Fatal(err)
	}
	st, err := bolt.Open(filepath.Join(t.TempDir(), "store.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(server.NewAPI(st, v, server.APIOptions{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{addr: lis.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- srv.Serve(ctx, lis) }()
	t.Cleanup(h.stop)
	h.client = dial(t, h.addr, clientCreds(opts))
	return h
}

func (h *harness) stop() {
	h.cancel()
	<-h.done
	h.done <- nil // later stops return at once
}

func dial(t *testing.T, addr string, creds credentials.TransportCredentials) configv1.ConfigServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return configv1.NewConfigServiceClient(conn)
}

func withToken(ctx context.Context, tok string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
}

func authed(t *testing.T) context.Context {
	return withToken(t.Context(), testToken)
}

func withMD(ctx context.Context, kv ...string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// clientCreds lets the default client reach a TLS server (without a client
// certificate) for tests that only need the token.
func clientCreds(opts Options) credentials.TransportCredentials {
	if opts.TLS == nil {
		return insecure.NewCredentials()
	}
	return credentials.NewTLS(&tls.Config{InsecureSkipVerify: true})
}
