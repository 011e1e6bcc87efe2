package server

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// DefaultAddress is where the Config Server listens unless told otherwise:
// loopback only, next to the xDS port (18000) and the admin port (18081).
const DefaultAddress = bootstrap.DefaultServerAddress

// Options configure a Server.
type Options struct {
	// Address is host:port; empty means DefaultAddress, port 0 any free port.
	Address string
	// TokenFile holds the bearer token clients must send. It is generated
	// (0600) at first start and logged that once.
	TokenFile string
	// DisableToken turns bearer tokens off. Client certificates are then
	// the only way in, so TLS.ClientCAFile is required: New refuses to
	// serve without authentication.
	DisableToken bool
	// TLS serves HTTPS; nil serves plain HTTP.
	TLS *TLSOptions
	// MaxBodyBytes caps a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// GCPercent is the garbage collector's target (as GOGC) that Run sets
	// for the process; 0 means DefaultGCPercent, negative leaves the
	// runtime's. A GOGC environment variable wins over both.
	GCPercent int
}

// DefaultGCPercent trades memory for CPU. Measured with 1,000 HTTPRoute
// creates from 16 clients (bench writes), the collector's share of the
// process's CPU and the peak RSS were: GOGC 100: 18-19 %, 143 MB; 200:
// 8-9 %, 161-177 MB; 400: 3-4 %, 233 MB.
const DefaultGCPercent = 400

// TLSOptions are PEM files.
type TLSOptions struct {
	CertFile string
	KeyFile  string
	// ClientCAFile, if set, makes a client certificate it verifies
	// authenticate the request (mTLS); clients without one still may use
	// the token.
	ClientCAFile string
}

// Server is the Config Server: the HTTP API over the core, the publisher
// that feeds the translator from the store, and the status write-back.
type Server struct {
	opts   Options
	api    *API
	pub    *publisher
	sw     *statusWriter
	status *message.Topic[*gatewayapi.Result]
	log    *slog.Logger
	token  string
	tlsCfg *tls.Config
	http   *http.Server

	mu  sync.Mutex
	lis net.Listener
}

// New builds the server; it binds nothing yet. st is the caller's to open
// and close. out receives this source's Resources under SourceName; status
// (may be nil) is the translator's output to write back. translate must be
// the options the translator runs with.
func New(opts Options, st store.Store, v *validation.Validator, out *message.Map[string, *resource.Resources],
	status *message.Topic[*gatewayapi.Result], translate gatewayapi.Options, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Address == "" {
		opts.Address = DefaultAddress
	}
	s := &Server{opts: opts, status: status, log: log}
	if err := s.setupAuth(); err != nil {
		return nil, err
	}
	s.pub = newPublisher(st, out, log)
	s.api = NewAPI(st, v, APIOptions{Translate: translate, Sources: s.sources, Logger: log})
	s.sw = newStatusWriter(s.api, log)
	var h http.Handler = NewHandler(s.api, opts.MaxBodyBytes, log)
	auth := &authenticator{next: h}
	if s.token != "" {
		sum := sha256.Sum256([]byte(s.token))
		auth.tokenHash = sum[:]
	}
	s.http = &http.Server{
		Handler:           auth,
		TLSConfig:         s.tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

func (s *Server) setupAuth() error {
	t := s.opts.TLS
	if t != nil {
		if t.CertFile == "" || t.KeyFile == "" {
			return errors.New("config server TLS needs both a certificate and a key file")
		}
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return fmt.Errorf("config server TLS: %w", err)
		}
		s.tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if t.ClientCAFile != "" {
			pem, err := os.ReadFile(t.ClientCAFile)
			if err != nil {
				return fmt.Errorf("config server client CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("config server client CA %s: no PEM certificate in it", t.ClientCAFile)
			}
			s.tlsCfg.ClientCAs = pool
			s.tlsCfg.ClientAuth = tls.VerifyClientCertIfGiven
		}
	}
	if s.opts.DisableToken {
		if t == nil || t.ClientCAFile == "" {
			return errors.New("config server: refusing to serve without authentication: tokens are disabled and no client CA is configured for mTLS")
		}
		return nil
	}
	if s.opts.TokenFile == "" {
		return errors.New("config server: no API token file configured")
	}
	tok, err := loadOrCreateToken(s.opts.TokenFile, s.log)
	s.token = tok
	return err
}

// API is the transport-independent core, for other transports (gRPC).
func (s *Server) API() *API { return s.api }

// Token is the bearer token clients must send ("" when disabled).
func (s *Server) Token() string { return s.token }

// Ready is closed once the store's contents have been published.
func (s *Server) Ready() <-chan struct{} { return s.pub.ready }

// Listen binds the address, so that callers learn the port before Run.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lis != nil {
		return nil
	}
	lis, err := net.Listen("tcp", s.opts.Address)
	if err != nil {
		return fmt.Errorf("config server: %w", err)
	}
	if s.tlsCfg != nil {
		lis = tls.NewListener(lis, s.tlsCfg)
	}
	s.lis = lis
	return nil
}

// Addr is the bound address; valid after Listen.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lis.Addr()
}

// Run publishes the store, writes status back and serves HTTP until ctx
// ends (nil) or a part fails. Open watches end with ctx.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.setGCPercent()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.http.BaseContext = func(net.Listener) context.Context { return ctx }

	var wg sync.WaitGroup
	run := func(name string, fn func(context.Context) error) {
		wg.Go(func() {
			if err := fn(ctx); err != nil {
				cancel(fmt.Errorf("config server %s: %w", name, err))
			}
		})
	}
	run("publisher", s.pub.run)
	if s.status != nil {
		run("status writer", func(ctx context.Context) error { return s.sw.run(ctx, s.status) })
		run("translation timer", func(ctx context.Context) error {
			for range s.status.Subscribe(ctx) {
				s.pub.translated(time.Now())
			}
			return nil
		})
	}
	run("http", func(context.Context) error {
		if err := s.http.Serve(s.lis); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	s.log.Info("config server listening", "address", s.lis.Addr().String(), "tls", s.tlsCfg != nil)

	<-ctx.Done()
	shutdown, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer done()
	_ = s.http.Shutdown(shutdown)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// DefaultMemoryLimit is the soft memory limit that comes with a raised
// GC target, unless GOMEMLIMIT says otherwise: GOGC 400 lets the heap
// grow to five times what is live, and a big world (10,000 routes with
// 1,000 proxies keeps 300-400 MiB live) would then take well over 1 GiB;
// near the limit the collector runs as often as it needs to instead.
const DefaultMemoryLimit = 1 << 30

// setGCPercent applies Options.GCPercent unless GOGC says otherwise.
func (s *Server) setGCPercent() {
	if _, set := os.LookupEnv("GOGC"); set || s.opts.GCPercent < 0 {
		return
	}
	pct := s.opts.GCPercent
	if pct == 0 {
		pct = DefaultGCPercent
	}
	if old := debug.SetGCPercent(pct); old != pct {
		s.log.Debug("garbage collector target set", "GOGC", pct, "was", old)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
}

// sources is what every config source has published, with this server's
// own objects taken from the publisher's cache, which also has the status
// writes that are deliberately not republished.
func (s *Server) sources() map[string]*resource.Resources {
	var state map[string]*resource.Resources
	if s.pub.out != nil {
		state = make(map[string]*resource.Resources)
		for k, v := range s.pub.out.Load() {
			state[k] = v
		}
	}
	if state == nil {
		state = map[string]*resource.Resources{}
	}
	state[SourceName] = s.pub.snapshot()
	return state
}
