// Command tfbench measures what the envoygateway provider adds to Terraform:
// the wall time of `terraform apply` and `terraform plan` for n
// envoygateway_http_route resources, against a control plane running in
// this process, next to the same for n terraform_data resources holding the
// same data. The ratio is the provider's overhead (issue 4's target: at
// most 2x). Run it with `make bench-tf`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/profiling"
)

func main() {
	n := flag.Int("n", 200, "resources per root")
	runs := flag.Int("runs", 1, "measurements of each command; the median is reported")
	tf := flag.String("terraform", "", "terraform CLI (default: $TF_ACC_TERRAFORM_PATH, else PATH)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of this process, which runs the control plane, to this file")
	hold := flag.Bool("hold", false, "measure nothing: set up both roots, print how to run terraform in them by hand, and keep the control plane up until interrupted")
	flag.Parse()
	if *cpuprofile != "" {
		stop, err := profiling.StartCPU(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tfbench:", err)
			os.Exit(1)
		}
		defer stop()
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := run(ctx, *n, *runs, *tf, *hold); err != nil {
		fmt.Fprintln(os.Stderr, "tfbench:", err)
		os.Exit(1)
	}
}

// timings holds every measurement of one root, by command.
type timings struct{ apply, plan, replan []sample }

func run(ctx context.Context, n, runs int, tfFlag string, hold bool) error {
	tfBin, err := terraformPath(tfFlag)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "tfbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cliConfig, err := buildProvider(ctx, tmp)
	if err != nil {
		return err
	}
	m, stop, err := startControlPlane(ctx, filepath.Join(tmp, "data"))
	if err != nil {
		return err
	}
	defer stop()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"ENVOYGATEWAY_ENDPOINT=http://" + m.ConfigServerAddr().String(),
		"ENVOYGATEWAY_TOKEN=" + m.ConfigServerToken(),
		// The provider (and Terraform) run with this, which profiles the
		// provider processes when ENVOYGATEWAY_CPUPROFILE_DIR is set.
		"ENVOYGATEWAY_CPUPROFILE_DIR=" + os.Getenv("ENVOYGATEWAY_CPUPROFILE_DIR"),
	}
	infra, err := newWorkspace(tfBin, filepath.Join(tmp, "infra"), infraConfig, env)
	if err != nil {
		return err
	}
	if _, err := infra.run(ctx, "apply", "-auto-approve"); err != nil {
		return err
	}
	routes, err := newWorkspace(tfBin, filepath.Join(tmp, "routes"), routesConfig(n), env)
	if err != nil {
		return err
	}
	data, err := newWorkspace(tfBin, filepath.Join(tmp, "data-only"), dataConfig(n), env)
	if err != nil {
		return err
	}
	if hold {
		holdForHand(ctx, env, routes.dir, data.dir)
		return nil
	}
	load := loadAverage()
	var r, d timings
	for i := range runs {
		fmt.Fprintf(os.Stderr, "run %d/%d\n", i+1, runs)
		if err := measure(ctx, data, &d); err != nil {
			return err
		}
		if err := measure(ctx, routes, &r); err != nil {
			return err
		}
	}
	report(n, runs, tfBin, load, loadAverage(), r, d)
	return nil
}

// measure times a create-all apply and then two plans that must be empty
// (-detailed-exitcode fails on any change, so a perpetual diff cannot pass
// as a fast plan), then destroys, untimed, for the next run.
func measure(ctx context.Context, w *workspace, t *timings) error {
	s, err := w.run(ctx, "apply", "-auto-approve")
	if err != nil {
		return err
	}
	t.apply = append(t.apply, s)
	if s, err = w.run(ctx, "plan", "-detailed-exitcode"); err != nil {
		return err
	}
	t.plan = append(t.plan, s)
	// A second plan shows whether the first one paid for work the control
	// plane was still doing after apply returned (status write-back).
	if s, err = w.run(ctx, "plan", "-detailed-exitcode"); err != nil {
		return err
	}
	t.replan = append(t.replan, s)
	_, err = w.run(ctx, "destroy", "-auto-approve")
	return err
}

func holdForHand(ctx context.Context, env []string, dirs ...string) {
	fmt.Println("# the control plane is up until interrupted; in another shell:")
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		fmt.Printf("export %s=%q\n", k, v)
	}
	for _, d := range dirs {
		fmt.Printf("# cd %s && terraform apply -auto-approve\n", d)
	}
	<-ctx.Done()
}

func median(ss []sample, f func(sample) time.Duration) time.Duration {
	var ds []time.Duration
	for _, s := range ss {
		ds = append(ds, f(s))
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func report(n, runs int, tfBin, loadBefore, loadAfter string, r, d timings) {
	fmt.Printf("terraform %s, %d resources, median of %d run(s); load average %s before, %s after\n", tfBin, n, runs, loadBefore, loadAfter)
	rows := []struct {
		name string
		r, d []sample
	}{{"apply", r.apply, d.apply}, {"plan", r.plan, d.plan}, {"plan #2", r.replan, d.replan}}
	for _, col := range []struct {
		title string
		f     func(sample) time.Duration
	}{
		{"wall time", func(s sample) time.Duration { return s.wall }},
		{"CPU time of terraform and provider", func(s sample) time.Duration { return s.cpu }},
		{"CPU time of the control plane", func(s sample) time.Duration { return s.server }},
	} {
		fmt.Printf("\n%s\n%-8s %22s %22s %7s\n", col.title, "command", "envoygateway_http_route", "terraform_data", "ratio")
		for _, row := range rows {
			rm, dm := median(row.r, col.f), median(row.d, col.f)
			ratio := "-"
			if dm > 0 {
				ratio = fmt.Sprintf("%6.2fx", float64(rm)/float64(dm))
			}
			fmt.Printf("%-8s %22s %22s %7s\n", row.name, rm.Round(time.Millisecond), dm.Round(time.Millisecond), ratio)
		}
	}
}
