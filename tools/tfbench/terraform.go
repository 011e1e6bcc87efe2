package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// workspace is one Terraform root run by the real CLI. The provider comes
// from dev_overrides, so no root needs `init` and nothing is downloaded;
// neither root runs init, to keep the comparison even.
type workspace struct {
	bin, dir string
	env      []string
}

func newWorkspace(bin, dir, config string, env []string) (*workspace, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return nil, err
	}
	return &workspace{bin: bin, dir: dir, env: env}, nil
}

// sample is what one terraform command cost. On a machine other work
// loads, wall time swings with the load; CPU time much less, so both are
// reported.
type sample struct {
	wall time.Duration
	// cpu: user+system time of terraform and the provider processes it
	// started and reaped.
	cpu time.Duration
	// server: CPU time of this process meanwhile, i.e. the control plane.
	server time.Duration
}

// run measures one terraform command.
func (w *workspace) run(ctx context.Context, args ...string) (sample, error) {
	cmd := exec.CommandContext(ctx, w.bin, append(args, "-input=false", "-no-color")...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	serverBefore := selfCPU()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	s := sample{wall: time.Since(start), server: selfCPU() - serverBefore}
	if err != nil {
		return sample{}, fmt.Errorf("terraform %v in %s: %w\n%s", args, w.dir, err, out)
	}
	s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return s, nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// buildProvider builds the provider from this checkout and writes a CLI
// config that serves it through dev_overrides and never reaches a registry.
func buildProvider(ctx context.Context, dir string) (cliConfig string, err error) {
	bin := filepath.Join(dir, "bin")
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "terraform-provider-envoygateway"), "github.com/envoygateway/terraform-provider-envoygateway")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build provider: %w\n%s", err, out)
	}
	cliConfig = filepath.Join(dir, "terraformrc")
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides { "registry.terraform.io/envoygateway/envoygateway" = %q }
  direct { exclude = ["*/*/*"] }
}
`, bin)
	return cliConfig, os.WriteFile(cliConfig, []byte(rc), 0o644)
}

func terraformPath(flag string) (string, error) {
	for _, p := range []string{flag, os.Getenv("TF_ACC_TERRAFORM_PATH")} {
		if p != "" {
			return p, nil
		}
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("no terraform CLI: put one on PATH, set TF_ACC_TERRAFORM_PATH or pass -terraform (make terraform builds one)")
	}
	return p, nil
}
