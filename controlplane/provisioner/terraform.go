package provisioner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hc-install/fs"
	"github.com/hashicorp/hc-install/product"
	"github.com/hashicorp/terraform-exec/tfexec"
)

// FindTerraform returns the terraform binary: path if set, else the first
// on PATH. It uses hc-install's local finder only; it never downloads.
func FindTerraform(ctx context.Context, path string) (string, error) {
	src := &fs.AnyVersion{Product: &product.Terraform}
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", err
		}
		src = &fs.AnyVersion{ExactBinPath: abs}
	}
	bin, err := src.Find(ctx)
	if err != nil {
		return "", fmt.Errorf("terraform not found (it is never downloaded; install it or set provisioner.terraformPath): %w", err)
	}
	return bin, nil
}

// tfRun is one fleet's Terraform, in its working directory.
type tfRun struct {
	tf    *tfexec.Terraform
	log   *slog.Logger
	fleet string
}

func newTFRun(bin, dir string, env map[string]string, log *slog.Logger, fleet string) (*tfRun, error) {
	tf, err := tfexec.NewTerraform(dir, bin)
	if err != nil {
		return nil, err
	}
	// On shutdown Terraform gets an interrupt and time to save its state
	// before it is killed.
	if err := tf.SetWaitDelay(30 * time.Second); err != nil {
		return nil, err
	}
	if err := tf.SetEnv(env); err != nil {
		return nil, err
	}
	return &tfRun{tf: tf, log: log, fleet: fleet}, nil
}

// phase runs one Terraform command and logs one line with its duration.
func (r *tfRun) phase(name string, f func() error) error {
	start := time.Now()
	err := f()
	d := time.Since(start).Round(time.Millisecond)
	if err != nil {
		r.log.Warn("terraform "+name+" failed", "fleet", r.fleet, "duration", d, "error", summarize(err))
		return &runError{phase: name, err: err}
	}
	r.log.Info("terraform "+name+" done", "fleet", r.fleet, "duration", d)
	return nil
}

func (r *tfRun) init(ctx context.Context, backendConfig map[string]string) error {
	opts := []tfexec.InitOption{tfexec.Upgrade(false), tfexec.Reconfigure(true)}
	for _, k := range slices.Sorted(mapsKeys(backendConfig)) {
		opts = append(opts, tfexec.BackendConfig(k+"="+backendConfig[k]))
	}
	return r.phase("init", func() error { return r.tf.Init(ctx, opts...) })
}

// planApply plans into a file and applies that plan only when it has
// changes, so a restart that finds everything in place touches nothing.
func (r *tfRun) planApply(ctx context.Context) (changed bool, err error) {
	const planFile = "tfplan"
	err = r.phase("plan", func() error {
		var err error
		changed, err = r.tf.Plan(ctx, tfexec.Out(planFile))
		return err
	})
	if err != nil || !changed {
		return changed, err
	}
	defer os.Remove(filepath.Join(r.tf.WorkingDir(), planFile))
	return true, r.phase("apply", func() error { return r.tf.Apply(ctx, tfexec.DirOrPlan(planFile)) })
}

func (r *tfRun) addresses(ctx context.Context) ([]string, error) {
	var outs map[string]tfexec.OutputMeta
	if err := r.phase("output", func() error {
		var err error
		outs, err = r.tf.Output(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	o, ok := outs["addresses"]
	if !ok {
		return nil, errors.New("the module has no addresses output (see modules/README.md)")
	}
	var addrs []string
	if err := json.Unmarshal(o.Value, &addrs); err != nil {
		return nil, fmt.Errorf("output addresses: want a list of strings: %w", err)
	}
	return addrs, nil
}

func (r *tfRun) destroy(ctx context.Context) error {
	return r.phase("destroy", func() error { return r.tf.Destroy(ctx) })
}

// runError is a failed Terraform phase.
type runError struct {
	phase string
	err   error
}

func (e *runError) Error() string { return "terraform " + e.phase + ": " + summarize(e.err) }
func (e *runError) Unwrap() error { return e.err }

var (
	boxChars = regexp.MustCompile(`(?m)^[│╷╵]\s?`)
	spaces   = regexp.MustCompile(`\s+`)
)

// summarize keeps the "Error: ..." part of Terraform's output (its summary
// and detail lines), in one line, short enough for a condition message.
func summarize(err error) string {
	msg := boxChars.ReplaceAllString(err.Error(), "")
	if i := strings.Index(msg, "Error: "); i >= 0 {
		msg = msg[i:]
	}
	msg = strings.TrimSpace(spaces.ReplaceAllString(msg, " "))
	const limit = 1024
	if len(msg) > limit {
		msg = msg[:limit-3] + "..."
	}
	return msg
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
