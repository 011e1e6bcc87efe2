// Package gatewayapi is the Gateway API Translator. It turns one snapshot of
// Gateway API resources into the IR of every fleet (GatewayClass) this
// control plane owns, and computes the status of the objects it handles.
//
// Translate is a pure function: it does no I/O, reads no clock except
// Options.Now, and yields the same output whatever the order of the input
// slices, so that golden files and the Runner's change detection are stable.
package gatewayapi

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// Options tune a translation.
type Options struct {
	// ControllerName selects the GatewayClasses this control plane handles;
	// empty means resource.DefaultControllerName.
	ControllerName gwapiv1.GatewayController
	// Now stamps lastTransitionTime on conditions that change; nil means
	// time.Now. Tests pass a fixed clock so golden files are stable. It is
	// truncated to whole seconds, the precision of a written status, so
	// that translations within a second stamp alike (the Cache then
	// reuses unchanged routes' output objects).
	Now func() time.Time
	// RequireParametersRef refuses (InvalidParameters) a class that names
	// no EnvoyFleet: set when the provisioner creates every class's fleet.
	RequireParametersRef bool
	// AddressUsable says whether a Gateway's static address (type
	// "IPAddress" or "Hostname") can be bound by the fleets; nil means every
	// well-formed address can, as when the operator fronts the proxies.
	AddressUsable func(typ, value string) bool
}

func (o Options) withDefaults() Options {
	if o.ControllerName == "" {
		o.ControllerName = resource.DefaultControllerName
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Result is the outcome of one translation.
type Result struct {
	// IR is keyed by GatewayClass name; it holds only classes we own and
	// accept, each even when no Gateway uses it yet.
	IR map[string]*ir.Xds `json:"xds"`
	// Copies of the input objects whose status we own, with .status
	// filled in, sorted by namespace/name. HTTPRoutes share spec and
	// metadata with the input (see statusCopy): read them, never modify
	// them. Objects of other controllers are left out so that writing the
	// Result back never clobbers their status.
	GatewayClasses []*gwapiv1.GatewayClass `json:"gatewayClasses,omitempty"`
	Gateways       []*gwapiv1.Gateway      `json:"gateways,omitempty"`
	HTTPRoutes     []*gwapiv1.HTTPRoute    `json:"httpRoutes,omitempty"`
	GRPCRoutes     []*gwapiv1.GRPCRoute    `json:"grpcRoutes,omitempty"`
	TLSRoutes      []*gwapiv1.TLSRoute     `json:"tlsRoutes,omitempty"`
	TCPRoutes      []*gwapiv1.TCPRoute     `json:"tcpRoutes,omitempty"`
	UDPRoutes      []*gwapiv1.UDPRoute     `json:"udpRoutes,omitempty"`
	// BackendTLSPolicies that apply to a backend of one of our Gateways.
	BackendTLSPolicies []*gwapiv1.BackendTLSPolicy `json:"backendTLSPolicies,omitempty"`
	// ListenerSets whose parentRef names one of our Gateways.
	ListenerSets []*gwapiv1.ListenerSet `json:"listenerSets,omitempty"`
	// Infra is the provisioner's IR, keyed like IR (see fleet.go).
	Infra map[string]*ir.Infra `json:"-"`
}

// translator holds the state of one Translate call.
type translator struct {
	opts Options
	now  metav1.Time
	idx  *index

	classes  map[string]*classState
	gateways map[nsName]*gatewayState
	// gatewaysByAge is the order in which listener conflicts are settled.
	gatewaysByAge []*gatewayState
	routes        []*routeState
	// states holds the HTTPRoutes' states, in one allocation, unless the
	// translation patched the last one's (cache_routes.go).
	states []routeState
	// http are the HTTPRoutes' states in input order (idx.routeSrc);
	// nHTTP is how many of them lead t.routes.
	http  []*routeState
	nHTTP int
	// stamped are the positions in http of the routes whose status took
	// the translation's time; stampedNow is set by stampInto when a
	// condition does.
	stamped    []int
	stampedNow bool
	// patched: the routes are the last translation's, patched where the
	// input changed; dropped are the HTTPRoutes patched out.
	patched bool
	dropped []*gwapiv1.HTTPRoute
	// fresh are the states of the routes a patch processed.
	fresh []routeState
	// touched are the hostnames whose contributions a patch changed, by
	// listener, sorted; groups are the HTTP ports' virtual hosts, and
	// goneVhosts the keys of those a patched translation dropped
	// (cache_vhost_patch.go).
	touched    map[*listenerState][]string
	groups     map[string]*vhostGroup
	goneVhosts []string
	// clusters are every backend a valid backendRef resolved to; each
	// fleet's IR takes the ones its routes use.
	clusters map[string]*ir.Cluster
	// fleets are the EnvoyFleets by name (fleet.go).
	fleets map[string]*resource.EnvoyFleet
	// secrets are every certificate a listener resolved, by IR name.
	secrets map[string]*ir.Secret
	// btls are the BackendTLSPolicies (backendtls.go).
	btls *backendTLS
	// sets are the ListenerSets (listenerset.go).
	sets *listenerSets
	// cache, when set, holds route compilations (incremental.go).
	cache *Cache
	// scratchParents and scratchConds are reused from route to route
	// (writeRouteStatus).
	scratchParents []gwapiv1.RouteParentStatus
	scratchConds   []metav1.Condition
	// defaultRef holds the default parentRef group and kind (parentref.go).
	defaultRef gwapiv1.ParentReference
}

// Translate computes the IR and status for res. It never panics on any
// input and never modifies res.
func Translate(res *resource.Resources, opts Options) *Result {
	return translate(res, opts, nil)
}

// translate is Translate, reusing c's route compilations when c is not nil.
func translate(res *resource.Resources, opts Options, c *Cache) *Result {
	if res == nil {
		res = &resource.Resources{}
	}
	opts = opts.withDefaults()
	if c != nil {
		c.begin(res, opts)
		defer c.end()
	}
	t := &translator{
		cache:    c,
		opts:     opts,
		now:      metav1.NewTime(opts.Now().Truncate(time.Second)),
		idx:      c.index(res),
		classes:  map[string]*classState{},
		gateways: map[nsName]*gatewayState{},
		clusters: c.clusterMap(),
		fleets:   fleetsByName(res),
		secrets:  map[string]*ir.Secret{},
		btls:     newBackendTLS(res),
		sets:     newListenerSets(res),
	}
	t.processClasses()
	t.processGateways()
	t.processRoutes()
	out := t.result()
	c.keep(t)
	return out
}

func (t *translator) result() *Result {
	out := &Result{IR: map[string]*ir.Xds{}, Infra: map[string]*ir.Infra{}}
	for _, c := range t.idx.classes {
		cs, ok := t.classes[c.Name]
		if !ok {
			continue
		}
		out.GatewayClasses = append(out.GatewayClasses, cs.obj)
		if cs.accepted {
			out.IR[cs.obj.Name] = t.buildXds(cs)
			out.Infra[cs.obj.Name] = buildInfra(cs, out.IR[cs.obj.Name])
		}
	}
	for _, g := range t.idx.gateways {
		if gs, ok := t.gateways[keyOf(g)]; ok {
			t.finishGatewayStatus(gs)
			out.Gateways = append(out.Gateways, gs.obj)
		}
	}
	out.HTTPRoutes = make([]*gwapiv1.HTTPRoute, 0, t.nHTTP)
	for _, r := range t.routes {
		switch {
		case !r.writeStatus:
		case r.out != nil:
			out.HTTPRoutes = append(out.HTTPRoutes, r.out)
		default:
			out.addRoute(r.obj)
		}
	}
	out.ListenerSets = t.listenerSetResult()
	out.BackendTLSPolicies = t.backendTLSStatus()
	return out
}
