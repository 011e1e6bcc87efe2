package translator

import (
	"cmp"
	"fmt"
	"slices"
	"unsafe"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// validatable is every generated resource.
type validatable interface {
	proto.Message
	ValidateAll() error
}

func (r *Resources) all() []validatable {
	var out []validatable
	for _, l := range r.Listeners {
		out = append(out, l)
	}
	for _, rc := range r.Routes {
		out = append(out, rc)
	}
	for _, c := range r.Clusters {
		out = append(out, c)
	}
	for _, e := range r.Endpoints {
		out = append(out, e)
	}
	for _, sec := range r.Secrets {
		out = append(out, sec)
	}
	return out
}

func nameOf(m proto.Message) string {
	switch m := m.(type) {
	case *listenerv3.Listener:
		return m.GetName()
	case *routev3.RouteConfiguration:
		return m.GetName()
	case *clusterv3.Cluster:
		return m.GetName()
	case *endpointv3.ClusterLoadAssignment:
		return m.GetClusterName()
	case *tlsv3.Secret:
		return m.GetName()
	}
	return ""
}

// sort sorts by name; clustersSorted skips the clusters and assignments,
// the bulk of a large fleet, when they are known to be sorted.
func (r *Resources) sort(clustersSorted bool) {
	byName := func(a, b proto.Message) int { return cmp.Compare(nameOf(a), nameOf(b)) }
	slices.SortFunc(r.Listeners, func(a, b *listenerv3.Listener) int { return byName(a, b) })
	slices.SortFunc(r.Routes, func(a, b *routev3.RouteConfiguration) int { return byName(a, b) })
	if !clustersSorted {
		slices.SortFunc(r.Clusters, func(a, b *clusterv3.Cluster) int { return byName(a, b) })
		slices.SortFunc(r.Endpoints, func(a, b *endpointv3.ClusterLoadAssignment) int { return byName(a, b) })
	}
	slices.SortFunc(r.Secrets, func(a, b *tlsv3.Secret) int { return byName(a, b) })
}

// Check verifies that r is self-contained, which go-control-plane's
// Snapshot.Consistent cannot do (it does not look into api_listener):
//
//   - names are unique within each type;
//   - the route configurations are exactly those the listeners name;
//   - every cluster a route sends to exists;
//   - the assignments are exactly those of the EDS clusters;
//   - the secrets are exactly those the listeners fetch over SDS.
//
// "Exactly" matters: an ADS server answers a named request only once the
// names cover everything it holds, so an extra resource stalls a proxy.
func (r *Resources) Check() error {
	ids := r.ids()
	if r.checked != nil && *r.checked == ids {
		return nil
	}
	return r.checkWith(nil)
}

// checkWith checks r; h, when not nil, remembers what the check of the
// previous set learnt about the slices and virtual hosts it shares with r.
func (r *Resources) checkWith(h *checkMemo) error {
	ids := r.ids()
	if err := r.check(h); err != nil {
		return err
	}
	r.checked = &ids
	return nil
}

// checkMemo is one fleet variant's checking state (see memo).
type checkMemo struct {
	// clusterSet is the names of the clusters slice clusters; gen counts
	// the sets, so that a virtual host verified against one is known.
	clusters   sliceID
	clusterSet map[string]bool
	gen        uint64
	// edsOK: the clusters and endpoints slices passed the EDS check.
	endpoints sliceID
	edsOK     bool
	// clusterSecrets are the secrets the clusters secretsOf fetch.
	secretsOf      sliceID
	clusterSecrets []string
	// vhost finds what is known of a rendered virtual host.
	vhost func(*routev3.VirtualHost) *vhostEntry
	// checkedRCs are, by route configuration name, the virtual hosts last
	// found to send only to clusters of set gen: the same ones at the
	// same positions need no lookup.
	checkedRCs map[string]checkedRC
	// uniqueClusters and uniqueEndpoints are the slices last found to
	// have unique names.
	uniqueClusters, uniqueEndpoints sliceID
}

type checkedRC struct {
	vhosts []*routev3.VirtualHost
	gen    uint64
}

type sliceID struct {
	data unsafe.Pointer
	n    int
}

func idOf[T any](s []T) sliceID { return sliceID{unsafe.Pointer(unsafe.SliceData(s)), len(s)} }

func (r *Resources) check(h *checkMemo) error {
	if err := r.uniqueNames(h); err != nil {
		return err
	}
	routeNames, err := r.routeConfigNames()
	if err != nil {
		return err
	}
	if err := sameSet("route configuration", routeNames, names(r.Routes)); err != nil {
		return err
	}
	clusters, gen := r.clusterSet(h)
	for _, rc := range r.Routes {
		var last checkedRC
		if h != nil {
			last = h.checkedRCs[rc.GetName()]
		}
		for i, vh := range rc.GetVirtualHosts() {
			if last.gen == gen && gen != 0 && i < len(last.vhosts) && last.vhosts[i] == vh {
				continue
			}
			var e *vhostEntry
			if h != nil {
				e = h.vhost(vh)
			}
			if e != nil && e.checkedGen == gen {
				continue
			}
			cs := []string(nil)
			if e != nil {
				cs = e.clusters
			} else {
				cs = vhostClusters(vh)
			}
			for _, c := range cs {
				if !clusters[c] {
					return fmt.Errorf("route configuration %q sends to cluster %q, which is not in the set", rc.GetName(), c)
				}
			}
			if e != nil {
				e.checkedGen = gen
			}
		}
		if h != nil {
			if h.checkedRCs == nil {
				h.checkedRCs = map[string]checkedRC{}
			}
			h.checkedRCs[rc.GetName()] = checkedRC{vhosts: rc.GetVirtualHosts(), gen: gen}
		}
	}
	for _, l := range r.Listeners {
		l4, err := l4Clusters(l)
		if err != nil {
			return fmt.Errorf("listener %q: %w", l.GetName(), err)
		}
		for _, c := range l4 {
			if !clusters[c] {
				return fmt.Errorf("listener %q sends to cluster %q, which is not in the set", l.GetName(), c)
			}
		}
	}
	sds, err := r.secretsFetched(h)
	if err != nil {
		return err
	}
	if err := sameSet("secret", sds, names(r.Secrets)); err != nil {
		return err
	}
	return r.checkEDS(h)
}

// clusterSet returns the set of cluster names, the one h has when the
// clusters are the same slice, and its generation (0 without h).
func (r *Resources) clusterSet(h *checkMemo) (map[string]bool, uint64) {
	if h != nil && h.clusterSet != nil && h.clusters == idOf(r.Clusters) {
		return h.clusterSet, h.gen
	}
	set := set(names(r.Clusters))
	if h == nil {
		return set, 0
	}
	h.clusters, h.clusterSet = idOf(r.Clusters), set
	h.gen++
	h.edsOK = false
	return set, h.gen
}

// secretsFetched is fetchedSecrets, with the clusters' part (thousands of
// clusters, each unpacked) taken from h when the clusters are the same.
func (r *Resources) secretsFetched(h *checkMemo) ([]string, error) {
	if h == nil {
		return r.fetchedSecrets()
	}
	fromListeners, err := (&Resources{Listeners: r.Listeners}).fetchedSecrets()
	if err != nil {
		return nil, err
	}
	if h.secretsOf != idOf(r.Clusters) || h.secretsOf.data == nil {
		fromClusters, err := (&Resources{Clusters: r.Clusters}).fetchedSecrets()
		if err != nil {
			return nil, err
		}
		h.secretsOf, h.clusterSecrets = idOf(r.Clusters), fromClusters
	}
	return append(fromListeners, h.clusterSecrets...), nil
}

func (r *Resources) checkEDS(h *checkMemo) error {
	if h != nil && h.edsOK && h.endpoints == idOf(r.Endpoints) {
		return nil
	}
	var eds []string
	for _, c := range r.Clusters {
		if c.GetType() == clusterv3.Cluster_EDS {
			eds = append(eds, cmp.Or(c.GetEdsClusterConfig().GetServiceName(), c.GetName()))
		}
	}
	if err := sameSet("cluster load assignment", eds, names(r.Endpoints)); err != nil {
		return err
	}
	if h != nil {
		h.endpoints, h.edsOK = idOf(r.Endpoints), true
	}
	return nil
}

func (r *Resources) uniqueNames(h *checkMemo) error {
	lists := [][]string{names(r.Listeners), names(r.Routes), names(r.Secrets)}
	// Thousands of clusters and endpoints, the same slices as last time
	// when a route changed: found unique then, they are now.
	if h == nil || h.uniqueClusters != idOf(r.Clusters) || h.uniqueClusters.data == nil {
		lists = append(lists, names(r.Clusters))
	}
	if h == nil || h.uniqueEndpoints != idOf(r.Endpoints) || h.uniqueEndpoints.data == nil {
		lists = append(lists, names(r.Endpoints))
	}
	if err := uniqueLists(lists); err != nil {
		return err
	}
	if h != nil {
		h.uniqueClusters, h.uniqueEndpoints = idOf(r.Clusters), idOf(r.Endpoints)
	}
	return nil
}

func uniqueLists(lists [][]string) error {
	for _, ns := range lists {
		// Sorted, as the translator's output is, no map is needed.
		if strictlySorted(ns) {
			continue
		}
		seen := map[string]bool{}
		for _, n := range ns {
			if seen[n] {
				return fmt.Errorf("duplicate resource name %q", n)
			}
			seen[n] = true
		}
	}
	return nil
}

// routeConfigNames are the RDS names the listeners use, from socket
// listeners' filter chains and from api_listeners alike.
func (r *Resources) routeConfigNames() ([]string, error) {
	var out []string
	for _, l := range r.Listeners {
		hcms, err := connectionManagers(l)
		if err != nil {
			return nil, fmt.Errorf("listener %q: %w", l.GetName(), err)
		}
		for _, h := range hcms {
			if n := h.GetRds().GetRouteConfigName(); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

func connectionManagers(l *listenerv3.Listener) ([]*hcmv3.HttpConnectionManager, error) {
	anys := []*anypb.Any{l.GetApiListener().GetApiListener()}
	for _, fc := range l.GetFilterChains() {
		for _, f := range fc.GetFilters() {
			anys = append(anys, f.GetTypedConfig())
		}
	}
	var out []*hcmv3.HttpConnectionManager
	for _, a := range anys {
		if a == nil || !a.MessageIs(&hcmv3.HttpConnectionManager{}) {
			continue
		}
		h := &hcmv3.HttpConnectionManager{}
		if err := a.UnmarshalTo(h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func vhostClusters(vh *routev3.VirtualHost) []string {
	var out []string
	for _, rt := range vh.GetRoutes() {
		ra := rt.GetRoute()
		if c := ra.GetCluster(); c != "" {
			out = append(out, c)
		}
		for _, wc := range ra.GetWeightedClusters().GetClusters() {
			if wc.GetName() != invalidCluster {
				out = append(out, wc.GetName())
			}
		}
		for _, m := range ra.GetRequestMirrorPolicies() {
			out = append(out, m.GetCluster())
		}
	}
	return out
}

func names[T proto.Message](ms []T) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, nameOf(m))
	}
	return out
}

func set(ns []string) map[string]bool {
	m := make(map[string]bool, len(ns))
	for _, n := range ns {
		m[n] = true
	}
	return m
}

func sameSet(kind string, want, have []string) error {
	w, h := set(want), set(have)
	for n := range w {
		if !h[n] {
			return fmt.Errorf("%s %q is referenced but missing", kind, n)
		}
	}
	for n := range h {
		if !w[n] {
			return fmt.Errorf("%s %q is not referenced by anything", kind, n)
		}
	}
	return nil
}

// sliceIDs identifies the contents of a Resources by its slices' arrays
// and lengths.
type sliceIDs [5]sliceID

func (r *Resources) ids() sliceIDs {
	return sliceIDs{idOf(r.Listeners), idOf(r.Routes), idOf(r.Clusters), idOf(r.Endpoints), idOf(r.Secrets)}
}

func strictlySorted(ns []string) bool {
	for i := 1; i < len(ns); i++ {
		if ns[i-1] >= ns[i] {
			return false
		}
	}
	return true
}
