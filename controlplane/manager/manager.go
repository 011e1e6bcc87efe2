// Package manager is the Config Manager: it builds the services the
// Bootstrap Config names, connects them only through the Message Service,
// runs them until the context ends, and serves /healthz and /readyz.
package manager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/file"
	xdsserver "github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/server"
)

// SourceFile is the key the Path Watcher publishes its resources under.
const SourceFile = "file"

// Topics are the typed messages that connect the services. They are the only
// thing services share.
type Topics struct {
	// Resources holds one snapshot per config source, keyed by source name.
	Resources *message.Map[string, *resource.Resources]
	// XdsIR holds one IR per fleet (GatewayClass name).
	XdsIR *message.Map[string, *ir.Xds]
	// Status carries every translation's status-bearing objects.
	Status *message.Topic[*gatewayapi.Result]
	// With the provisioner, the translator publishes to TranslatedStatus;
	// the fleet status merger adds fleet addresses and Programmed and
	// publishes Status.
	TranslatedStatus *message.Topic[*gatewayapi.Result]
	// Infra is each fleet's infrastructure IR, Fleets the provisioner's
	// state of each, Connected the proxies connected to xDS per fleet.
	Infra     *message.Map[string, *ir.Infra]
	Fleets    *message.Map[string, *ir.FleetState]
	Connected *message.Map[string, int]
}

func newTopics() *Topics {
	return &Topics{
		Resources: message.NewMap[string, *resource.Resources]("resources"),
		XdsIR:     message.NewMap[string, *ir.Xds]("xds-ir"),
		Status:    message.NewTopic[*gatewayapi.Result]("status"),

		TranslatedStatus: message.NewTopic[*gatewayapi.Result]("translated-status"),
		Infra:            message.NewMap[string, *ir.Infra]("infra-ir"),
		Fleets:           message.NewMap[string, *ir.FleetState]("fleet-state"),
		Connected:        message.NewMap[string, int]("xds-connected"),
	}
}

func (t *Topics) close() {
	t.Resources.Close()
	t.XdsIR.Close()
	t.Status.Close()
	t.TranslatedStatus.Close()
	t.Infra.Close()
	t.Fleets.Close()
	t.Connected.Close()
}

// service is one long-running component.
type service struct {
	name string
	run  func(ctx context.Context) error
}

// Manager owns the services of one control plane process.
type Manager struct {
	cfg    *bootstrap.Config
	log    *slog.Logger
	topics *Topics
	xds    *xdsserver.Server

	xdsLis, adminLis net.Listener
	// listeners bind the ports of optional services, in Listen.
	listeners []func() error
	cs        *configServer
	services  []service
	// sources are the Resources keys that must have published before the
	// control plane calls itself ready.
	sources []string
}

// New builds the services the config names. It binds nothing yet.
func New(cfg *bootstrap.Config, log *slog.Logger) (*Manager, error) {
	m := &Manager{cfg: cfg, log: log, topics: newTopics()}
	// One validator for every source: its CEL programs are compiled once.
	v, err := validation.New()
	if err != nil {
		return nil, fmt.Errorf("building the CRD validator: %w", err)
	}
	// Up front, on every CPU: a broken CRD stops start-up rather than
	// failing the first write of its kind, and no first write waits for
	// its kind's CEL programs to compile.
	if err := v.BuildAll(); err != nil {
		return nil, fmt.Errorf("building the CRD validator: %w", err)
	}
	m.xds = xdsserver.New(log.With("component", "xds-server"))

	if f := cfg.Sources.Files; f != nil {
		w := file.New(f.Paths, SourceFile, m.topics.Resources, log.With("component", "path-watcher"),
			file.WithValidator(v.ForDecoder()))
		m.add("path-watcher", w.Run)
		m.sources = append(m.sources, SourceFile)
	}
	gw := &gatewayapi.Runner{
		Resources: m.topics.Resources,
		XdsIR:     m.topics.XdsIR,
		Status:    m.topics.Status,
		Options:   gatewayapi.Options{ControllerName: gwapiv1.GatewayController(cfg.ControllerName)},
		Logger:    log.With("component", "gateway-api-translator"),
	}
	if cfg.Provisioner.Enabled {
		gw.Status = m.topics.TranslatedStatus
		gw.Options.RequireParametersRef = true
		m.addProvisioner()
	}
	if cfg.Sources.Server != nil {
		m.addConfigServer(v, gw.Options)
	}
	m.add("gateway-api-translator", gw.Run)
	m.add("xds-translator", func(ctx context.Context) error {
		xdsserver.Run(ctx, log.With("component", "xds-translator"), m.xds, m.topics.XdsIR)
		return nil
	})
	return m, nil
}

func (m *Manager) add(name string, run func(context.Context) error) {
	m.services = append(m.services, service{name: name, run: run})
}

// Topics exposes the message topics, for tests and for in-process tools.
func (m *Manager) Topics() *Topics { return m.topics }

// Listen binds the xDS and admin ports, so that callers learn the real
// addresses (port 0 means any free port) before Run.
func (m *Manager) Listen() error {
	var err error
	if m.xdsLis, err = net.Listen("tcp", m.cfg.XDS.Address); err != nil {
		return fmt.Errorf("xds.address: %w", err)
	}
	if m.adminLis, err = net.Listen("tcp", m.cfg.Admin.Address); err != nil {
		m.xdsLis.Close()
		return fmt.Errorf("admin.address: %w", err)
	}
	for _, listen := range m.listeners {
		if err := listen(); err != nil {
			m.xdsLis.Close()
			m.adminLis.Close()
			return err
		}
	}
	return nil
}

// XDSAddr is the bound xDS address; valid after Listen.
func (m *Manager) XDSAddr() net.Addr { return m.xdsLis.Addr() }

// AdminAddr is the bound admin (health) address; valid after Listen.
func (m *Manager) AdminAddr() net.Addr { return m.adminLis.Addr() }

// Run serves until ctx ends or a service fails; then it stops every service
// and returns the first failure (nil on a clean shutdown).
func (m *Manager) Run(ctx context.Context) error {
	if m.xdsLis == nil {
		if err := m.Listen(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	all := append([]service{
		{name: "xds-server", run: func(ctx context.Context) error { return m.xds.Serve(ctx, m.xdsLis) }},
		{name: "admin", run: m.serveAdmin},
	}, m.services...)

	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.run(ctx)
			if err != nil && !errors.Is(err, context.Canceled) {
				m.log.Error("service failed", "service", s.name, "error", err)
				cancel(fmt.Errorf("%s: %w", s.name, err))
				return
			}
			m.log.Debug("service stopped", "service", s.name)
		}()
	}
	m.log.Info("control plane started", "xds", m.xdsLis.Addr().String(), "admin", m.adminLis.Addr().String())
	<-ctx.Done()
	// Closing the topics ends subscriptions, so runners blocked on a
	// channel return even if they ignore ctx.
	m.topics.close()
	wg.Wait()
	if m.cs != nil {
		if err := m.cs.close(); err != nil {
			m.log.Error("closing the store", "error", err)
		}
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	m.log.Info("control plane stopped")
	return nil
}

// FleetStates lists the provisioner's state of every fleet, by name; it is
// empty when the provisioner is off.
func (m *Manager) FleetStates() []*ir.FleetState {
	state := m.topics.Fleets.Load()
	out := make([]*ir.FleetState, 0, len(state))
	for _, f := range state {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *ir.FleetState) int { return strings.Compare(a.Fleet, b.Fleet) })
	return out
}

// Ready reports why the control plane is not ready yet, or nil.
func (m *Manager) Ready() error {
	state := m.topics.Resources.Load()
	for _, src := range m.sources {
		if _, ok := state[src]; !ok {
			return fmt.Errorf("config source %q has not loaded yet", src)
		}
	}
	if _, ok := m.topics.Status.Load(); !ok {
		return errors.New("no translation yet")
	}
	return nil
}

func (m *Manager) serveAdmin(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := m.Ready(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	// The provisioner's view of each fleet, for `envoy-gateway status`.
	mux.HandleFunc("GET /fleets", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(m.FleetStates())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(m.adminLis); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
