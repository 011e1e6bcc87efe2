package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/profiling"
)

// The fan-out measurement runs the control plane in a child process so that
// its memory is not mixed with the memory of a thousand simulated proxies.
// The child speaks a line protocol on stdin/stdout:
//
//	child -> "addr <host:port>", then "ready" once the workload is served
//	"change <k>" -> applies Change(k); answers "set <ms>" or "error <msg>"
//	"mem"        -> "mem <rss bytes> <peak rss bytes> <heap bytes>"
//	EOF          -> the child exits

// ServeChild is the child's side. The parent starts it through the
// command's hidden child mode. If profile is not empty, the CPU profile of
// the changes (from the first until EOF, so including their fan-out) is
// written there.
func ServeChild(in io.Reader, out io.Writer, routes int, seed uint64, profile string) error {
	w := workload.Generate(routes, seed)
	p, err := StartPipeline(true)
	if err != nil {
		return err
	}
	defer p.Close()
	fmt.Fprintf(out, "addr %s\n", p.Addr)
	if _, err := p.Publish(w.Resources, changeTimeout); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready")
	cur := w.Resources
	// The heap profile goes beside the CPU profile, taken with every
	// stream open: where the control plane's memory is.
	heapProfile := ""
	if profile != "" {
		heapProfile = strings.TrimSuffix(profile, ".cpu.pprof") + ".heap.pprof"
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch cmd {
		case "change":
			if profile != "" {
				stop, err := profiling.StartCPU(profile)
				if err != nil {
					return err
				}
				defer stop()
				profile = ""
			}
			k, err := strconv.Atoi(arg)
			if err != nil {
				fmt.Fprintf(out, "error bad change %q\n", arg)
				continue
			}
			cur = workload.Change(cur, k)
			d, err := p.Publish(cur, changeTimeout)
			if err != nil {
				fmt.Fprintf(out, "error %v\n", err)
				continue
			}
			fmt.Fprintf(out, "set %.3f\n", ms(d))
		case "mem":
			rss, hwm := procStatus("VmRSS"), procStatus("VmHWM")
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if heapProfile != "" {
				writeHeapProfile(heapProfile)
			}
			fmt.Fprintf(out, "mem %d %d %d\n", rss, hwm, m.HeapInuse)
		}
	}
	return sc.Err()
}

// writeHeapProfile is best effort: the figures still go out without it.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}

// procStatus reads a "kB" field of /proc/self/status, in bytes.
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == field {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n << 10
		}
	}
	return 0
}

// child is the parent's handle on a ServeChild process.
type child struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

// startChild runs binary with args (which must reach ServeChild) and waits
// until it serves the workload.
func startChild(binary string, args []string) (*child, string, error) {
	cmd := exec.Command(binary, args...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	c := &child{cmd: cmd, in: in, lines: make(chan string, 16)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(outPipe)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	addr, err := c.expect("addr", changeTimeout)
	if err == nil {
		_, err = c.expect("ready", changeTimeout)
	}
	if err != nil {
		c.stop()
		return nil, "", err
	}
	return c, addr, nil
}

// expect returns the rest of the next line, which must start with word.
func (c *child) expect(word string, timeout time.Duration) (string, error) {
	select {
	case l, ok := <-c.lines:
		if !ok {
			return "", fmt.Errorf("control plane child exited (waiting for %q)", word)
		}
		w, rest, _ := strings.Cut(l, " ")
		if w != word {
			return "", fmt.Errorf("control plane child: want %q, got %q", word, l)
		}
		return rest, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("control plane child: no %q within %s", word, timeout)
	}
}

func (c *child) send(line string) error {
	_, err := fmt.Fprintln(c.in, line)
	return err
}

func (c *child) stop() {
	c.in.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// MeasureFanout runs the control plane as a child (binary childArgs...)
// serving a workload of routes routes, and fans a change out to streams
// proxies changes times.
func MeasureFanout(binary string, childArgs []string, routes, streams, changes int) (*FanoutResult, error) {
	c, addr, err := startChild(binary, childArgs)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	// The child's "set" answers arrive while the proxies are still
	// receiving; they are read after each wait.
	res, err := Fanout(addr, streams, changes, func(k int) error { return c.send(fmt.Sprintf("change %d", k)) },
		func(int) (float64, error) {
			set, err := c.expect("set", changeTimeout)
			if err != nil {
				return 0, err
			}
			var d float64
			if _, err := fmt.Sscan(set, &d); err != nil {
				return 0, fmt.Errorf("control plane child: bad set line %q", set)
			}
			return d, nil
		})
	if err != nil {
		return nil, err
	}
	res.Routes, res.Separate = routes, true
	if err := c.send("mem"); err != nil {
		return nil, err
	}
	m, err := c.expect("mem", changeTimeout)
	if err != nil {
		return nil, err
	}
	var rss, hwm, heap uint64
	if _, err := fmt.Sscan(m, &rss, &hwm, &heap); err != nil {
		return nil, fmt.Errorf("control plane child: bad mem line %q", m)
	}
	res.ControlPlaneRSSMiB, res.ControlPlanePeakRSSMiB, res.ControlPlaneHeapMiB = mib(rss), mib(hwm), mib(heap)
	return res, nil
}
