package gatewayapi

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// Runner runs the translator on the Message Service: each change of any
// config source's Resources yields one translation of all of them.
type Runner struct {
	// Resources holds one snapshot per config source; all are merged.
	Resources *message.Map[string, *resource.Resources]
	// XdsIR receives each fleet's IR. Only fleets whose IR changed are
	// stored, so downstream re-renders only those; vanished ones are deleted.
	XdsIR *message.Map[string, *ir.Xds]
	// Status receives every translation's Result.
	Status  *message.Topic[*Result]
	Options Options
	Logger  *slog.Logger

	// cache makes a change re-compile only the routes it touched.
	cache Cache
}

// Run translates until ctx ends or Resources is closed.
func (r *Runner) Run(ctx context.Context) error {
	log := r.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Start from what is already published, so a restarted runner neither
	// re-stores unchanged fleets nor leaves vanished ones behind.
	prev := maps.Clone(r.XdsIR.Load())
	updates := r.Resources.Subscribe(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case u, ok := <-updates:
			if !ok {
				return nil
			}
			res, err := translateSources(u.State, r.Options, &r.cache)
			if err != nil {
				// Keep serving the last good IR rather than crash the
				// control plane on a translator bug.
				log.Error("translation failed; keeping the previous IR", "error", err)
				continue
			}
			prev = r.publish(prev, res, log)
		}
	}
}

func (r *Runner) publish(prev map[string]*ir.Xds, res *Result, log *slog.Logger) map[string]*ir.Xds {
	for _, fleet := range slices.Sorted(maps.Keys(res.IR)) {
		x, changed := ir.Share(prev[fleet], res.IR[fleet])
		// Unchanged pieces are now the published ones (see ir.Share), so
		// the xDS translator re-renders only what changed.
		res.IR[fleet] = x
		if !changed {
			continue
		}
		r.XdsIR.Store(fleet, x)
		log.Debug("fleet IR changed", "fleet", fleet)
	}
	for fleet := range prev {
		if _, ok := res.IR[fleet]; !ok {
			r.XdsIR.Delete(fleet)
			log.Debug("fleet removed", "fleet", fleet)
		}
	}
	if r.Status != nil {
		r.Status.Publish(res)
	}
	return res.IR
}

// TranslateSources translates every config source's snapshot together, as
// the Runner does: the sources are joined in source-name order (an object
// defined by two sources is kept from the first; Translate drops the later
// duplicate). A panic in the translator is returned as an error, so that a
// translator bug costs one translation, not the control plane. The Config
// Server's dry-run calls it too, so it sees what the Runner would.
func TranslateSources(state map[string]*resource.Resources, opts Options) (*Result, error) {
	return translateSources(state, opts, nil)
}

func translateSources(state map[string]*resource.Resources, opts Options, c *Cache) (out *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	merged := soleSource(state)
	if merged == nil {
		merged = &resource.Resources{}
		for _, src := range slices.Sorted(maps.Keys(state)) {
			if s := state[src]; s != nil {
				s.Walk(func(_ resource.Key, o resource.Object) bool {
					merged.Add(o)
					return true
				})
			}
		}
	}
	if c == nil {
		return Translate(merged, opts), nil
	}
	return c.Translate(merged, opts), nil
}

// soleSource returns the one source's snapshot when only one has one:
// joined alone it would be a copy of itself, and copying ten thousand
// routes cost more than translating a changed one. Translate never
// modifies its input.
func soleSource(state map[string]*resource.Resources) *resource.Resources {
	var only *resource.Resources
	for _, s := range state {
		if s != nil {
			if only != nil {
				return nil
			}
			only = s
		}
	}
	return only
}
