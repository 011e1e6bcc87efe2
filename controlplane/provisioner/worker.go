package provisioner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/envoybootstrap"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// worker owns one fleet: it alone runs Terraform in the fleet's directory.
type worker struct {
	p    *Provisioner
	name string
	dir  string

	mu      sync.Mutex
	latest  *ir.Infra
	deleted bool
	gen     uint64
	// wake holds at most one pending signal: updates during a run collapse
	// into one more run.
	wake chan struct{}

	state ir.FleetState
}

func newWorker(p *Provisioner, name string) *worker {
	return &worker{p: p, name: name, dir: FleetDir(p.cfg.DataDir, name), wake: make(chan struct{}, 1),
		state: ir.FleetState{Fleet: name, Phase: ir.FleetPending}}
}

func (w *worker) update(x *ir.Infra, deleted bool) {
	w.mu.Lock()
	if x != nil {
		w.latest = x
	}
	w.deleted = deleted
	w.gen++
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run works until ctx ends (false) or the fleet is destroyed (true).
func (w *worker) run(ctx context.Context) bool {
	var retry <-chan time.Time
	var doneGen uint64
	for {
		select {
		case <-ctx.Done():
			return false
		case <-w.wake:
		case <-retry:
		}
		retry = nil
		w.mu.Lock()
		x, deleted, gen := w.latest, w.deleted, w.gen
		w.mu.Unlock()
		if !deleted && gen == doneGen && w.state.Attempts == 0 {
			continue
		}
		start := time.Now()
		var err error
		if deleted {
			w.publish(func(s *ir.FleetState) { s.Phase, s.Applied = ir.FleetDestroying, false })
			if err = w.destroy(ctx); err == nil {
				w.p.cfg.States.Delete(w.name)
				w.p.cfg.Log.Info("fleet destroyed", "fleet", w.name, "duration", time.Since(start).Round(time.Millisecond))
				return true
			}
		} else {
			w.publish(func(s *ir.FleetState) { s.Phase, s.Applied = ir.FleetApplying, false })
			var addrs []string
			if addrs, err = w.apply(ctx, x); err == nil {
				doneGen = gen
				w.publish(func(s *ir.FleetState) {
					*s = ir.FleetState{Fleet: w.name, Phase: ir.FleetReady, Applied: true, Addresses: addrs,
						LastRun: time.Now(), LastRunDuration: time.Since(start)}
				})
				w.p.cfg.Log.Info("fleet ready", "fleet", w.name, "addresses", addrs, "duration", time.Since(start).Round(time.Millisecond))
				continue
			}
		}
		if ctx.Err() != nil {
			return false
		}
		delay := w.backoff(w.state.Attempts)
		w.publish(func(s *ir.FleetState) {
			s.Phase, s.Error, s.Attempts = ir.FleetFailed, err.Error(), s.Attempts+1
			s.LastRun, s.LastRunDuration, s.NextRetry = time.Now(), time.Since(start), time.Now().Add(delay)
		})
		w.p.cfg.Log.Warn("fleet run failed; retrying", "fleet", w.name, "attempt", w.state.Attempts, "in", delay, "error", err)
		retry = time.After(delay)
	}
}

func (w *worker) backoff(attempts int) time.Duration {
	d := w.p.cfg.MinBackoff
	for range attempts {
		d *= 2
		if d >= w.p.cfg.MaxBackoff {
			return w.p.cfg.MaxBackoff
		}
	}
	return d
}

func (w *worker) publish(change func(*ir.FleetState)) {
	change(&w.state)
	s := w.state
	s.Addresses = slices.Clone(s.Addresses)
	w.p.cfg.States.Store(w.name, &s)
}

// apply writes the working directory and runs init, plan, apply (only if
// the plan has changes) and output.
func (w *worker) apply(ctx context.Context, x *ir.Infra) ([]string, error) {
	if x == nil || x.Params == nil {
		return nil, fmt.Errorf("class %s names no EnvoyFleet: nothing to provision", w.name)
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return nil, err
	}
	if err := w.writeRoot(x); err != nil {
		return nil, err
	}
	tf, err := newTFRun(w.p.bin, w.dir, w.p.env, w.p.cfg.Log, w.name)
	if err != nil {
		return nil, err
	}
	var backendConfig map[string]string
	if b := x.Params.Backend; b != nil {
		backendConfig = b.Config
	}
	if err := tf.init(ctx, backendConfig); err != nil {
		return nil, err
	}
	if _, err := tf.planApply(ctx); err != nil {
		return nil, err
	}
	return tf.addresses(ctx)
}

func (w *worker) writeRoot(x *ir.Infra) error {
	pr := x.Params
	source, localDir, err := moduleSource(pr.ModuleSource, w.p.cfg.ModuleRoot, w.dir)
	if err != nil {
		return err
	}
	params, err := envoybootstrap.ParamsFor(w.name, w.p.cfg.XDSAddress)
	if err != nil {
		return err
	}
	// Several proxies of a fleet may share a host (modules/local): an
	// ephemeral admin port keeps them from colliding.
	params.AdminPort = 0
	boot, err := envoybootstrap.Render(w.p.cfg.BootstrapTemplate, params)
	if err != nil {
		return err
	}
	extra := map[string]json.RawMessage{}
	for k, v := range pr.Variables {
		extra[k] = v
	}
	if _, set := extra["command"]; !set && localDir != "" && w.p.cfg.ProxyCommand != "" {
		if vars, _, err := ModuleInterface(localDir); err == nil {
			if _, takes := vars["command"]; takes {
				extra["command"], _ = json.Marshal(w.p.cfg.ProxyCommand)
			}
		}
	}
	data, err := rootModule(source, pr.ModuleVersion, pr.Backend, moduleInputs{
		Name: w.name, EnvoyBootstrap: string(boot), Ports: x.Ports, Replicas: pr.Replicas,
		EnvoyVersion: pr.EnvoyVersion, Infrastructure: FleetMetadata(x), Extra: extra,
	})
	if err != nil {
		return err
	}
	return writeFileAtomic(w.dir+"/"+rootFile, data)
}

// destroy runs terraform destroy, then removes the working directory. A
// directory never initialised holds nothing to destroy.
func (w *worker) destroy(ctx context.Context) error {
	if _, err := os.Stat(w.dir + "/" + rootFile); os.IsNotExist(err) {
		return os.RemoveAll(w.dir)
	}
	tf, err := newTFRun(w.p.bin, w.dir, w.p.env, w.p.cfg.Log, w.name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(w.dir + "/.terraform"); os.IsNotExist(err) {
		if err := tf.init(ctx, nil); err != nil {
			return err
		}
	}
	if err := tf.destroy(ctx); err != nil {
		return err
	}
	return os.RemoveAll(w.dir)
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
