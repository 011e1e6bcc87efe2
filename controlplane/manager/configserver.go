package manager

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server/grpcapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/bolt"
)

// configServer is the Config Server source: its store, HTTP API and gRPC API.
// It is built in Listen, because opening the store takes the file lock and
// binding the ports is what Listen is for.
type configServer struct {
	http    *server.Server
	grpc    *grpcapi.Server
	grpcLis net.Listener
	close   func() error
}

// addConfigServer registers the Config Server's services; translate must be
// the options the translator runs with, so that dry-run and status
// write-back agree with it.
func (m *Manager) addConfigServer(v *validation.Validator, translate gatewayapi.Options) {
	m.sources = append(m.sources, server.SourceName)
	m.listeners = append(m.listeners, func() error { return m.listenConfigServer(v, translate) })
	m.add("config-server", func(ctx context.Context) error { return m.cs.http.Run(ctx) })
	m.add("config-server-grpc", func(ctx context.Context) error { return m.cs.grpc.Serve(ctx, m.cs.grpcLis) })
}

func (m *Manager) listenConfigServer(v *validation.Validator, translate gatewayapi.Options) error {
	path := m.cfg.StorePath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store.path: %w", err)
	}
	st, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		return fmt.Errorf("store.path %s: %w", path, err)
	}
	opts := server.OptionsFrom(m.cfg)
	srv, err := server.New(opts, st, v, m.topics.Resources, m.topics.Status, translate, m.log.With("component", "config-server"))
	if err == nil {
		err = srv.Listen()
	}
	if err != nil {
		st.Close()
		return fmt.Errorf("sources.server: %w", err)
	}
	g, lis, err := m.grpcConfigServer(srv, opts)
	if err != nil {
		st.Close()
		return err
	}
	m.cs = &configServer{http: srv, grpc: g, grpcLis: lis, close: st.Close}
	m.log.Info("config server listening", "http", srv.Addr().String(), "grpc", lis.Addr().String(), "store", path)
	return nil
}

func (m *Manager) grpcConfigServer(srv *server.Server, opts server.Options) (*grpcapi.Server, net.Listener, error) {
	tlsCfg, err := grpcapi.TLSConfig(opts.TLS)
	if err != nil {
		return nil, nil, fmt.Errorf("sources.server.tls: %w", err)
	}
	g, err := grpcapi.New(srv.API(), grpcapi.Options{Token: srv.Token(), TLS: tlsCfg, Logger: m.log.With("component", "config-server-grpc")})
	if err != nil {
		return nil, nil, fmt.Errorf("sources.server: %w", err)
	}
	lis, err := net.Listen("tcp", m.cfg.ServerGRPCAddress())
	if err != nil {
		return nil, nil, fmt.Errorf("sources.server.grpcAddress: %w", err)
	}
	return g, lis, nil
}

// ConfigServerAddr is the bound HTTP address of the Config Server, or nil
// when it is not configured; valid after Listen.
func (m *Manager) ConfigServerAddr() net.Addr {
	if m.cs == nil {
		return nil
	}
	return m.cs.http.Addr()
}

// ConfigServerToken is the Config Server's bearer token ("" without one).
func (m *Manager) ConfigServerToken() string {
	if m.cs == nil {
		return ""
	}
	return m.cs.http.Token()
}
