// Package provisioner is the Provisioner: for every accepted GatewayClass it
// runs the Terraform module its EnvoyFleet names, through terraform-exec, in
// a working directory of its own (<dataDir>/fleets/<class>/), and publishes
// each fleet's state (phase, last run, error, addresses).
//
// One worker per fleet. Changes that arrive while a run is going are
// coalesced into the next run; a failed run is retried with exponential
// backoff. Every run plans first and applies only a plan with changes, so a
// restarted control plane re-plans every fleet and changes nothing that is
// in place. A fleet is destroyed only when its class leaves the translated
// IR while the provisioner runs; never because the control plane restarted.
// The working directory goes only after its destroy succeeded.
package provisioner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
)

// Config is what the provisioner needs; New fills defaults.
type Config struct {
	// DataDir holds fleets/<name>/, one working directory per fleet.
	DataDir string
	// TerraformPath is the terraform binary; "" searches PATH.
	TerraformPath string
	// ModuleRoot resolves local module sources (./ and ../); "" is the
	// current directory.
	ModuleRoot string
	// XDSAddress is what proxies dial (host:port) in their bootstrap.
	XDSAddress string
	// BootstrapTemplate replaces the embedded Envoy bootstrap template.
	BootstrapTemplate string
	// ProxyCommand is passed as the "command" variable to a local module
	// that declares one, unless the EnvoyFleet sets it. "" means "envoy"
	// when it is on PATH, else ProbeCommand.
	ProxyCommand string
	// ProbeCommand starts the probe in place of Envoy; "" means this
	// executable's "probe" command.
	ProbeCommand string
	// Env is added to Terraform's environment (KEY=VALUE), after the
	// control plane's own (less TF_VAR_* and the variables terraform-exec
	// manages).
	Env []string
	// MinBackoff and MaxBackoff bound the retry delay of a failed run
	// (defaults 2s and 5m).
	MinBackoff, MaxBackoff time.Duration

	Infra  *message.Map[string, *ir.Infra]
	States *message.Map[string, *ir.FleetState]
	Log    *slog.Logger
}

// Provisioner runs the fleets' Terraform. Create it with New.
type Provisioner struct {
	cfg Config
	bin string
	env map[string]string
	sub <-chan message.MapUpdate[string, *ir.Infra]
}

// New checks the config and finds Terraform.
func New(ctx context.Context, cfg Config) (*Provisioner, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("provisioner: dataDir must not be empty")
	}
	if cfg.Infra == nil || cfg.States == nil {
		return nil, errors.New("provisioner: Infra and States topics are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 2 * time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Minute, cfg.MinBackoff)
	}
	if cfg.ModuleRoot == "" {
		cfg.ModuleRoot = "."
	}
	bin, err := FindTerraform(ctx, cfg.TerraformPath)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(fleetsDir(cfg.DataDir), 0o755); err != nil {
		return nil, err
	}
	p := &Provisioner{cfg: cfg, bin: bin}
	if p.env, err = p.terraformEnv(); err != nil {
		return nil, err
	}
	if p.cfg.ProxyCommand == "" {
		p.cfg.ProxyCommand = p.defaultProxyCommand()
	}
	return p, nil
}

func fleetsDir(dataDir string) string { return filepath.Join(dataDir, "fleets") }

// FleetDir is a fleet's working directory.
func FleetDir(dataDir, fleet string) string { return filepath.Join(fleetsDir(dataDir), fleet) }

func (p *Provisioner) defaultProxyCommand() string {
	if _, err := exec.LookPath("envoy"); err == nil {
		return "envoy"
	}
	cmd := p.cfg.ProbeCommand
	if cmd == "" {
		if self, err := os.Executable(); err == nil {
			cmd = self + " probe"
		}
	}
	p.cfg.Log.Info("no envoy on PATH: local fleets run the xDS probe in place of Envoy", "command", cmd)
	return cmd
}

// terraformEnv is Terraform's whole environment (terraform-exec's SetEnv
// replaces it): ours, less what terraform-exec manages, with our own CLI
// config so that a user's ~/.terraformrc cannot redirect provider installs.
func (p *Provisioner) terraformEnv() (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_VAR_") || strings.HasPrefix(k, "TF_CLI_ARGS") || strings.HasPrefix(k, "TF_LOG") ||
			k == "TF_INPUT" || k == "TF_IN_AUTOMATION" || k == "TF_APPEND_USER_AGENT" || k == "TF_REATTACH_PROVIDERS" ||
			k == "TF_WORKSPACE" || k == "TF_DISABLE_PLUGIN_TLS" || k == "TF_SKIP_PROVIDER_VERIFY" || k == "TF_DATA_DIR" {
			continue
		}
		env[k] = v
	}
	rc := filepath.Join(fleetsDir(p.cfg.DataDir), "terraform.rc")
	if _, err := os.Stat(rc); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(rc, []byte("# Written by envoy-gateway: Terraform's CLI config for fleet runs.\ndisable_checkpoint = true\n"), 0o644); err != nil {
			return nil, err
		}
	}
	env["TF_CLI_CONFIG_FILE"] = rc
	env["CHECKPOINT_DISABLE"] = "1"
	for _, kv := range p.cfg.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("provisioner env %q: want KEY=VALUE", kv)
		}
		env[k] = v
	}
	return env, nil
}

// Run follows the infra IR until ctx ends: one worker per fleet.
func (p *Provisioner) Run(ctx context.Context) error {
	p.logLeftovers()
	var wg sync.WaitGroup
	defer wg.Wait()
	workers := map[string]*worker{}
	done := make(chan string)
	for {
		select {
		case <-ctx.Done():
			return nil
		case name := <-done:
			// The worker destroyed its fleet. If the class came back in the
			// meantime, a new worker takes it.
			delete(workers, name)
			if x, ok := p.cfg.Infra.Load()[name]; ok && x != nil {
				workers[name] = p.start(ctx, &wg, name, done)
				workers[name].update(x, false)
			}
		case u, ok := <-p.infraUpdates(ctx):
			if !ok {
				return nil
			}
			for name := range u.Changed {
				x, present := u.State[name]
				w := workers[name]
				if w == nil {
					if !present {
						continue // deleted before we ever saw it
					}
					w = p.start(ctx, &wg, name, done)
					workers[name] = w
				}
				w.update(x, !present)
			}
		}
	}
}

// infraUpdates subscribes once; later calls return the same channel.
func (p *Provisioner) infraUpdates(ctx context.Context) <-chan message.MapUpdate[string, *ir.Infra] {
	if p.sub == nil {
		p.sub = p.cfg.Infra.Subscribe(ctx)
	}
	return p.sub
}

func (p *Provisioner) start(ctx context.Context, wg *sync.WaitGroup, name string, done chan<- string) *worker {
	w := newWorker(p, name)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if w.run(ctx) {
			select {
			case done <- name:
			case <-ctx.Done():
			}
		}
	}()
	return w
}

// logLeftovers names working directories of fleets not (yet) in the IR:
// they are left alone, since the config may simply not be loaded yet.
func (p *Provisioner) logLeftovers() {
	entries, _ := os.ReadDir(fleetsDir(p.cfg.DataDir))
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) > 0 {
		p.cfg.Log.Info("existing fleet working directories; each is re-planned when its class is translated, never destroyed on start",
			"fleets", names)
	}
}
