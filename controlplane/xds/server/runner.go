package server

import (
	"context"
	"log/slog"
	"maps"
	"slices"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// Run is the xDS Translator's runner: it follows the fleets' IR (keyed by
// fleet name), translates the fleets that changed and hands the result to
// srv. A fleet whose IR fails to translate keeps serving its last good
// resources. Run returns when ctx ends or the topic closes.
func Run(ctx context.Context, log *slog.Logger, srv *Server, irs *message.Map[string, *ir.Xds]) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// One cache per fleet: a one-route change re-renders one virtual
	// host, not the fleet.
	caches := map[string]*translator.Cache{}
	for u := range irs.Subscribe(ctx) {
		// Sorted only so that logs read the same way every time.
		for _, fleet := range slices.Sorted(maps.Keys(u.Changed)) {
			x := u.State[fleet]
			if x == nil {
				delete(caches, fleet)
			} else if caches[fleet] == nil {
				caches[fleet] = translator.NewCache()
			}
			apply(log, srv, fleet, x, caches[fleet])
		}
	}
}

func apply(log *slog.Logger, srv *Server, fleet string, x *ir.Xds, c *translator.Cache) {
	if x == nil {
		srv.RemoveFleet(fleet)
		log.Info("xDS fleet removed", "fleet", fleet)
		return
	}
	if x.Fleet != fleet {
		// The map key is the authority; a mismatch is a publisher bug
		// worth seeing, not a reason to stop serving.
		log.Warn("IR fleet name differs from its key; using the key", "key", fleet, "fleet", x.Fleet)
		c := *x
		c.Fleet = fleet
		x = &c
	}
	rs, err := c.Translate(x)
	if err != nil {
		log.Error("xDS translation failed; the fleet keeps its last good configuration", "fleet", fleet, "error", err)
		return
	}
	if err := srv.SetFleet(fleet, rs); err != nil {
		log.Error("xDS snapshot rejected; the fleet keeps its last good configuration", "fleet", fleet, "error", err)
		return
	}
	log.Info("xDS fleet updated", "fleet", fleet, "listeners", len(rs.Envoy.Listeners), "clusters", len(rs.Envoy.Clusters))
}
