// Package grpcapi is the Config Server's gRPC service (api/proto/config/v1):
// the operations of the HTTP API over the same transport-independent core,
// *server.API, with the same bearer-token and mTLS authentication.
package grpcapi

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
)

// DefaultAddress is where the gRPC API listens unless configured: next to
// the HTTP API's 127.0.0.1:18080 and the health port 18081, on loopback
// only. It has a port of its own rather than sharing the HTTP one because
// multiplexing HTTP/1.1 and gRPC on one listener needs h2c or a connection
// sniffer, and neither is worth its failure modes here.
const DefaultAddress = "127.0.0.1:18082"

// Options configure the gRPC server.
type Options struct {
	// Token is the bearer token calls must carry, the HTTP API's token.
	Token string
	// TLS, if set, makes the server speak TLS. When it verifies client
	// certificates (ClientCAs with VerifyClientCertIfGiven or
	// RequireAndVerifyClientCert), a call from a verified client needs no
	// token, as on the HTTP API.
	TLS *tls.Config
	// Insecure allows an empty Token without client-certificate
	// verification: every caller is admitted. For tests only.
	Insecure bool
	// Logger; nil discards.
	Logger *slog.Logger
}

// Server is the gRPC API server.
type Server struct {
	gs  *grpc.Server
	svc *service
}

// New builds the server over api. It refuses to build one nobody
// authenticates to, unless opts.Insecure says so.
func New(api *server.API, opts Options) (*Server, error) {
	verifiesClients := opts.TLS != nil && opts.TLS.ClientCAs != nil && opts.TLS.ClientAuth >= tls.VerifyClientCertIfGiven
	open := opts.Token == "" && !verifiesClients
	if open && !opts.Insecure {
		return nil, errors.New("grpcapi: no token and no client-certificate verification: every caller would be admitted")
	}
	var sopts []grpc.ServerOption
	if !open {
		a := newAuthenticator(opts.Token)
		sopts = append(sopts, grpc.ChainUnaryInterceptor(a.unary), grpc.ChainStreamInterceptor(a.stream))
	}
	if opts.TLS != nil {
		sopts = append(sopts, grpc.Creds(credentials.NewTLS(opts.TLS)))
	}
	s := &Server{gs: grpc.NewServer(sopts...), svc: newService(api)}
	configv1.RegisterConfigServiceServer(s.gs, s.svc)
	return s, nil
}

// GRPC is the underlying server, to register more services on (health,
// reflection) before Serve.
func (s *Server) GRPC() *grpc.Server { return s.gs }

// stopGrace is how long Serve lets unary calls finish on shutdown.
const stopGrace = 5 * time.Second

// Serve serves on lis until ctx ends, then ends every watch (with
// UNAVAILABLE, so clients reconnect and resume) and stops gracefully for
// the calls in flight, within stopGrace. It returns nil after a stop that
// ctx asked for.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.gs.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.svc.stop()
	done := make(chan struct{})
	go func() {
		s.gs.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopGrace):
		s.gs.Stop()
		<-done
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}
