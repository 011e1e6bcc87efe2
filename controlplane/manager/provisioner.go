package manager

import (
	"context"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/provisioner"
)

// addProvisioner adds the services that create each fleet and turn its
// state into Gateway status: infra IR from the translation, the
// provisioner, the xDS connection watcher and the fleet status merger.
func (m *Manager) addProvisioner() {
	t, pc := m.topics, m.cfg.Provisioner
	m.add("infra-ir", func(ctx context.Context) error {
		gatewayapi.PublishInfra(ctx, t.TranslatedStatus, t.Infra)
		return nil
	})
	m.add("provisioner", func(ctx context.Context) error {
		tmpl := ""
		if b := m.cfg.EnvoyProxy.Bootstrap; b != nil {
			tmpl = b.Value
		}
		// Built at run time: the bound xDS address (port 0 in tests) is
		// what the proxies' bootstrap must name.
		p, err := provisioner.New(ctx, provisioner.Config{
			DataDir: m.cfg.DataDir, TerraformPath: pc.TerraformPath, ModuleRoot: pc.ModuleRoot,
			XDSAddress: m.xdsLis.Addr().String(), BootstrapTemplate: tmpl, ProxyCommand: pc.ProxyCommand,
			Infra: t.Infra, States: t.Fleets, Log: m.log.With("component", "provisioner"),
		})
		if err != nil {
			return err
		}
		return p.Run(ctx)
	})
	m.add("xds-connections", func(ctx context.Context) error {
		provisioner.WatchConnections(ctx, m.xds.ConnectedProxies, t.Fleets, t.Connected, time.Second)
		return nil
	})
	merger := &gatewayapi.FleetStatusMerger{In: t.TranslatedStatus, Fleets: t.Fleets, Connected: t.Connected, Out: t.Status}
	m.add("fleet-status", merger.Run)
}
