package conformance_test

import (
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

func init() {
	harness = append(harness, struct {
		name string
		run  func(*testing.T)
	}{"GatewayAddresses", gatewayAddresses})
}

// withFleets adds to out what the running control plane adds once every
// fleet is applied, with c.address as its address, and has a proxy
// connected: the provisioner, not the translator, assigns addresses, and
// the helpers that wait for "the Gateway is ready" need one.
func (c *cluster) withFleets(out *gatewayapi.Result) *gatewayapi.Result {
	fleets, connected := map[string]*ir.FleetState{}, map[string]int{}
	for class := range out.IR {
		fleets[class] = &ir.FleetState{Fleet: class, Phase: ir.FleetReady, Applied: true, Addresses: []string{c.address}}
		connected[class] = 1
	}
	return gatewayapi.MergeFleetStatus(out, nil, fleets, connected, time.Now())
}

// gatewayAddresses runs GatewayOptionalAddressValue whole: an address
// asked for without a value is filled in from the fleet's.
func gatewayAddresses(t *testing.T) {
	t.Run("GatewayOptionalAddressValue", func(t *testing.T) {
		record(t, "GatewayOptionalAddressValue", ranWhole)
		ct := upstream(t, "GatewayOptionalAddressValue")
		ct.Test(t, newSuite(t, ct))
	})
}
