package provisioner

import (
	"context"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
)

// WatchConnections publishes, for every fleet in states, how many proxies
// count says are connected, whenever that changes. The xDS server has no
// connection events, so it is asked every interval; this keeps the status
// merger from calling into the server.
func WatchConnections(ctx context.Context, count func(fleet string) int, states *message.Map[string, *ir.FleetState],
	out *message.Map[string, int], every time.Duration) {
	last := map[string]int{}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		seen := map[string]bool{}
		for fleet := range states.Load() {
			seen[fleet] = true
			n := count(fleet)
			if old, ok := last[fleet]; !ok || old != n {
				out.Store(fleet, n)
				last[fleet] = n
			}
		}
		for fleet := range last {
			if !seen[fleet] {
				out.Delete(fleet)
				delete(last, fleet)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
