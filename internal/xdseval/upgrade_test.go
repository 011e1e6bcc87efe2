package xdseval

import (
	"net/http"
	"testing"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestUpgrades(t *testing.T) {
	off := toCluster("off", "a", prefix("/off"))
	off.GetRoute().UpgradeConfigs = []*routev3.RouteAction_UpgradeConfig{{UpgradeType: "websocket", Enabled: wrapperspb.Bool(false)}}
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"}, off, toCluster("on", "a", prefix("/")))}}
	ws := func(path string) Request {
		r := get("h", path)
		r.Headers.Set("Upgrade", "websocket")
		r.Headers.Set("Connection", "keep-alive, Upgrade")
		return r
	}
	withWS := func(h *hcmv3.HttpConnectionManager) {
		h.UpgradeConfigs = []*hcmv3.HttpConnectionManager_UpgradeConfig{{UpgradeType: "websocket"}}
	}
	b := &recorder{}
	if resp := serve(t, fixture(t, rc, withWS), ws("/ws"), b); resp.Status != http.StatusOK || b.last.Headers.Get("Upgrade") != "websocket" {
		t.Errorf("enabled upgrade: %d, upstream Upgrade %q", resp.Status, b.last.Headers.Get("Upgrade"))
	}
	if resp := serve(t, fixture(t, rc, withWS), ws("/off"), nil); resp.Status != http.StatusForbidden {
		t.Errorf("upgrade disabled on the route: %d, want 403", resp.Status)
	}
	if resp := serve(t, fixture(t, rc, nil), ws("/ws"), nil); resp.Status != http.StatusForbidden {
		t.Errorf("no upgrade_configs: %d, want 403", resp.Status)
	}
	plain := get("h", "/ws")
	plain.Headers.Set("Upgrade", "websocket") // without Connection: upgrade it is no upgrade
	if resp := serve(t, fixture(t, rc, nil), plain, nil); resp.Status != http.StatusOK {
		t.Errorf("Upgrade header without Connection token: %d, want 200", resp.Status)
	}
}
