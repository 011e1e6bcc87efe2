package probe

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Options are the probe's command line.
type Options struct {
	// Bootstrap is the Envoy bootstrap file (Envoy's -c).
	Bootstrap string
	// NodeID replaces node.id (Envoy's --service-node), so that replicas
	// sharing one bootstrap are told apart.
	NodeID string
	// Once exits after the first complete configuration (or Timeout):
	// status 0 if nothing was rejected. Otherwise the probe runs, like a
	// proxy, until it is stopped.
	Once    bool
	Timeout time.Duration
	// Out receives one report line per update.
	Out io.Writer
	Log *slog.Logger
}

// Run connects and reports until ctx ends (or, with Once, until done).
func Run(ctx context.Context, o Options) error {
	t, err := LoadBootstrap(o.Bootstrap, o.NodeID)
	if err != nil {
		return err
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Once {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	done := make(chan Report, 1)
	c := &Client{Target: t, Log: o.Log, OnUpdate: func(r Report, complete bool) {
		fmt.Fprintf(o.Out, "node=%s cluster=%s complete=%t %s\n", t.Node.GetId(), t.Node.GetCluster(), complete, r)
		if o.Once && complete {
			select {
			case done <- r:
			default:
			}
		}
	}}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- c.Run(runCtx) }()
	select {
	case r := <-done:
		stop()
		<-errc
		if r.Nacks > 0 {
			return fmt.Errorf("%d responses rejected", r.Nacks)
		}
		return nil
	case err := <-errc:
		if o.Once {
			return fmt.Errorf("%w within %s (xDS server %s)", ErrIncomplete, o.Timeout, t.Address)
		}
		return err
	}
}

// Main runs the probe from Envoy-style arguments (-c FILE, --service-node
// ID) until SIGTERM or SIGINT, and returns the exit status. Test binaries
// use it to stand in for Envoy.
func Main(args []string) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	var o Options
	fs.StringVar(&o.Bootstrap, "c", "", "Envoy bootstrap file")
	fs.StringVar(&o.Bootstrap, "bootstrap", "", "Envoy bootstrap file")
	fs.StringVar(&o.NodeID, "service-node", "", "node id (replaces node.id)")
	fs.BoolVar(&o.Once, "once", false, "exit after the first complete configuration")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "with --once, how long to wait")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.Bootstrap == "" {
		fmt.Fprintln(os.Stderr, "probe: -c/--bootstrap FILE is required")
		return 2
	}
	o.Out = os.Stdout
	o.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()
	if err := Run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		return 1
	}
	return 0
}
