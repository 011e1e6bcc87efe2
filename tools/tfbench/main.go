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
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 200, "resources per root")
	runs := flag.Int("runs", 1, "measurements of each command; the median is reported")
	tf := flag.String("terraform", "", "terraform CLI (default: $TF_ACC_TERRAFORM_PATH, else PATH)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of this process, which runs the control plane, to this file")
	flag.Parse()
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tfbench:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(context.Background(), *n, *runs, *tf); err != nil {
		fmt.Fprintln(os.Stderr, "tfbench:", err)
		os.Exit(1)
	}
}

func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// timings holds every measurement of one root, by command.
type timings struct{ apply, plan, replan []time.Duration }

func run(ctx context.Context, n, runs int, tfFlag string) error {
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
	took, err := w.run(ctx, "apply", "-auto-approve")
	if err != nil {
		return err
	}
	t.apply = append(t.apply, took)
	if took, err = w.run(ctx, "plan", "-detailed-exitcode"); err != nil {
		return err
	}
	t.plan = append(t.plan, took)
	// A second plan shows whether the first one paid for work the control
	// plane was still doing after apply returned (status write-back).
	if took, err = w.run(ctx, "plan", "-detailed-exitcode"); err != nil {
		return err
	}
	t.replan = append(t.replan, took)
	_, err = w.run(ctx, "destroy", "-auto-approve")
	return err
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
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
	fmt.Printf("%-8s %22s %22s %7s\n", "command", "envoygateway_http_route", "terraform_data", "ratio")
	for _, row := range []struct {
		name string
		r, d []time.Duration
	}{{"apply", r.apply, d.apply}, {"plan", r.plan, d.plan}, {"plan #2", r.replan, d.replan}} {
		rm, dm := median(row.r), median(row.d)
		fmt.Printf("%-8s %22s %22s %6.2fx\n", row.name, rm.Round(time.Millisecond), dm.Round(time.Millisecond), float64(rm)/float64(dm))
	}
}
