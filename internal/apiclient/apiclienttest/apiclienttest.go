// Package apiclienttest starts a real Config Server in-process for tests of
// its clients (the API client, the CLI, the Terraform provider): the real
// HTTP API over a real bbolt file, on 127.0.0.1 with an OS-chosen port.
package apiclienttest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/bolt"
)

// Options choose what the server runs with.
type Options struct {
	// Translator runs the real Gateway API translator, so that status
	// (Accepted, Programmed...) is written back to stored objects.
	Translator bool
	// Server options; Address and TokenFile are filled in when empty.
	Server server.Options
}

// Server is a running Config Server.
type Server struct {
	// Endpoint is its base URL, "http://127.0.0.1:<port>".
	Endpoint string
	// Token is the bearer token, also in TokenFile.
	Token     string
	TokenFile string
	// Dir holds the store and the token file.
	Dir string
	// API is the server's core, for tests that put another transport
	// (gRPC) over the same store.
	API *server.API
}

// validator is shared by every server of a test binary: New compiles every
// CEL rule of the CRDs.
var validator = sync.OnceValues(validation.New)

// Start runs a Config Server until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	v, err := validator()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := bolt.Open(filepath.Join(dir, "store.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	so := opts.Server
	if so.Address == "" {
		so.Address = "127.0.0.1:0"
	}
	if so.TokenFile == "" && !so.DisableToken {
		so.TokenFile = filepath.Join(dir, "api-token")
	}
	out := message.NewMap[string, *resource.Resources]("resources")
	status := message.NewTopic[*gatewayapi.Result]("status")
	translate := gatewayapi.Options{ControllerName: resource.DefaultControllerName}
	srv, err := server.New(so, st, v, out, status, translate, nil)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		st.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Run(ctx); err != nil {
			t.Errorf("config server: %v", err)
		}
	})
	if opts.Translator {
		r := &gatewayapi.Runner{Resources: out, XdsIR: message.NewMap[string, *ir.Xds]("xds"), Status: status, Options: translate}
		wg.Go(func() {
			if err := r.Run(ctx); err != nil {
				t.Errorf("translator: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		st.Close()
	})
	select {
	case <-srv.Ready():
	case <-time.After(30 * time.Second):
		t.Fatal("config server not ready after 30s")
	}
	scheme := "http"
	if so.TLS != nil {
		scheme = "https"
	}
	s := &Server{Endpoint: scheme + "://" + srv.Addr().String(), Token: srv.Token(), TokenFile: so.TokenFile, Dir: dir, API: srv.API()}
	if s.TokenFile != "" {
		if data, err := os.ReadFile(s.TokenFile); err != nil || strings.TrimSpace(string(data)) != s.Token {
			t.Fatalf("token file %s does not hold the server's token (%v)", s.TokenFile, err)
		}
	}
	return s
}
