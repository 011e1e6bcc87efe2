package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	xdsserver "github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/server"
)

// sourceName is the config source the bench publishes under.
const sourceName = "bench"

// Pipeline is the control plane's change path, wired as the Config Manager
// wires it: Resources -> Gateway API Runner -> XdsIR -> xDS runner ->
// xDS Server snapshots, optionally served on loopback.
type Pipeline struct {
	Resources *message.Map[string, *resource.Resources]
	XdsIR     *message.Map[string, *ir.Xds]
	Server    *xdsserver.Server
	// Addr is the xDS address when Serve was asked for.
	Addr string

	events chan setEvent
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// setEvent is one outcome of the xDS runner for a fleet.
type setEvent struct {
	at  time.Time
	err error
}

// StartPipeline starts the runners, and an xDS server on 127.0.0.1:0 if
// serve is set. Nothing is published yet.
func StartPipeline(serve bool) (*Pipeline, error) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pipeline{
		Resources: message.NewMap[string, *resource.Resources]("resources"),
		XdsIR:     message.NewMap[string, *ir.Xds]("xds-ir"),
		events:    make(chan setEvent, 64),
		cancel:    cancel,
	}
	log := slog.New(&snapshotObserver{events: p.events})
	p.Server = xdsserver.New(slog.New(slog.DiscardHandler))
	if serve {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			cancel()
			return nil, err
		}
		p.Addr = lis.Addr().String()
		p.wg.Go(func() { _ = p.Server.Serve(ctx, lis) })
	}
	gw := &gatewayapi.Runner{Resources: p.Resources, XdsIR: p.XdsIR}
	p.wg.Go(func() { _ = gw.Run(ctx) })
	p.wg.Go(func() { xdsserver.Run(ctx, log, p.Server, p.XdsIR) })
	return p, nil
}

// Publish makes res the bench source's resources and waits until the xDS
// runner has set the fleet's new snapshot, returning the time from the
// publish to that moment.
func (p *Pipeline) Publish(res *resource.Resources, timeout time.Duration) (time.Duration, error) {
	p.drain()
	t0 := time.Now()
	p.Resources.Store(sourceName, res)
	select {
	case e := <-p.events:
		if e.err != nil {
			return 0, e.err
		}
		return e.at.Sub(t0), nil
	case <-time.After(timeout):
		return 0, fmt.Errorf("no snapshot was set within %s of the change", timeout)
	}
}

// drain drops outcomes of earlier changes, e.g. of a second fleet.
func (p *Pipeline) drain() {
	for {
		select {
		case <-p.events:
		default:
			return
		}
	}
}

// Close stops every runner and the server.
func (p *Pipeline) Close() {
	p.cancel()
	p.Resources.Close()
	p.XdsIR.Close()
	p.wg.Wait()
}

// snapshotObserver learns from the xDS runner's log when a fleet's snapshot
// has been set. The runner logs "xDS fleet updated" right after SetFleet
// returns; observing the log needs no hook in the server. If the message
// is ever renamed, Publish times out rather than measuring something else.
type snapshotObserver struct {
	events chan<- setEvent
}

const (
	msgFleetUpdated     = "xDS fleet updated"
	msgTranslateFailed  = "xDS translation failed; the fleet keeps its last good configuration"
	msgSnapshotRejected = "xDS snapshot rejected; the fleet keeps its last good configuration"
)

func (o *snapshotObserver) Enabled(context.Context, slog.Level) bool { return true }

func (o *snapshotObserver) Handle(_ context.Context, r slog.Record) error {
	var e setEvent
	switch r.Message {
	case msgFleetUpdated:
		e.at = r.Time
	case msgTranslateFailed, msgSnapshotRejected:
		var msg string
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" {
				msg = a.Value.String()
			}
			return true
		})
		e.err = errors.New(r.Message + ": " + msg)
	default:
		return nil
	}
	select {
	case o.events <- e:
	default:
	}
	return nil
}

func (o *snapshotObserver) WithAttrs([]slog.Attr) slog.Handler { return o }
func (o *snapshotObserver) WithGroup(string) slog.Handler      { return o }
