package provider

import (
	"bytes"
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// NewServer is the provider's protocol server: the framework's, except
// that the RPCs a plan makes for every resource - ValidateResourceConfig,
// UpgradeResourceState, ReadResource (the refresh) and PlanResourceChange -
// are answered directly when the configuration is valid and nothing
// changed, which is what most resources of a plan are.
//
// The framework's answer costs about as much as Terraform's own work for
// the resource: it decodes every value into its own types and walks the
// whole schema several times (defaults, unknowns, plan modifiers, one
// rewrite per root attribute), and the Gateway API schemas are large.
// Where the direct answer cannot be sure to be the framework's, the
// framework answers.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := New(version)().(*envoyGatewayProvider)
		fw, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		s := &server{ProviderServer: fw, p: p, kinds: map[string]*serverKind{}}
		for _, f := range p.Resources(context.Background()) {
			r, ok := f().(*objectResource)
			if !ok {
				continue
			}
			k, err := newServerKind(r.m)
			if err != nil {
				return nil, err
			}
			s.kinds["envoygateway_"+r.m.typeName] = k
		}
		return s, nil
	}
}

type server struct {
	tfprotov6.ProviderServer
	p     *envoyGatewayProvider
	kinds map[string]*serverKind // by resource type name
}

// serverKind is what the direct answers need of a resource type.
type serverKind struct {
	m        *kindModel
	schema   schema.Schema
	typ      tftypes.Type  // the resource's value type
	defaults *defaultsNode // its attributes with defaults
	// checks: what validation checks of its attributes; nil when the
	// schema has checks only the framework knows how to make.
	checks *attrCheck
	// unknowns: the root attributes a new object's plan leaves unknown;
	// nil when planCreate cannot plan this kind.
	unknowns []string
}

func newServerKind(m *kindModel) (*serverKind, error) {
	ctx := context.Background()
	s, err := m.resourceSchema()
	if err != nil {
		return nil, err
	}
	d, err := schemaDefaults(ctx, s.Attributes)
	if err != nil {
		return nil, err
	}
	k := &serverKind{m: m, schema: s, typ: s.Type().TerraformType(ctx), defaults: d, unknowns: rootUnknowns(s)}
	if checks, err := schemaChecks(s.Attributes); err == nil {
		k.checks = &attrCheck{nesting: single, attrs: checks}
	}
	return k, nil
}

func (s *server) client() *apiclient.Client {
	if d := s.p.configured.Load(); d != nil {
		return d.client
	}
	return nil
}

// ReadResource refreshes like objectResource.Read, without the framework's
// passes over the values around it (it has nothing else to do here: no
// private state, identity or write-only attributes). Any error goes to the
// framework, which reads again and reports it.
func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	k, c := s.kinds[req.TypeName], s.client()
	if k == nil || c == nil || req.CurrentState == nil || len(req.Private) > 0 || req.CurrentIdentity != nil {
		return s.ProviderServer.ReadResource(ctx, req)
	}
	prior, err := req.CurrentState.Unmarshal(k.typ)
	if err != nil || prior.IsNull() {
		return s.ProviderServer.ReadResource(ctx, req)
	}
	next, gone, diags := k.m.refresh(ctx, c, prior)
	if diags.HasError() {
		return s.ProviderServer.ReadResource(ctx, req)
	}
	if gone {
		next = tftypes.NewValue(k.typ, nil)
	}
	dv, err := tfprotov6.NewDynamicValue(k.typ, next)
	if err != nil {
		return s.ProviderServer.ReadResource(ctx, req)
	}
	return &tfprotov6.ReadResourceResponse{NewState: &dv}, nil
}

// PlanResourceChange answers "no change" itself when Terraform proposes
// exactly the prior state and the framework would plan exactly that too:
// no attribute the configuration leaves out gets a default that differs
// from what the state holds. The framework then changes nothing either
// (unknowns are only marked on a changed plan, the plan modifiers and
// ModifyPlan have nothing to do on an unchanged one), so the answer is the
// same, without decoding the proposed value or walking the schema.
func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	k := s.kinds[req.TypeName]
	if k != nil && k.unchanged(req) {
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState}, nil
	}
	if k != nil {
		if planned, ok := k.planCreate(ctx, s.client(), req); ok {
			return &tfprotov6.PlanResourceChangeResponse{PlannedState: planned}, nil
		}
	}
	return s.ProviderServer.PlanResourceChange(ctx, req)
}

// ValidateResourceConfig answers "valid" itself when it can tell that the
// framework would report nothing; anything to report, the framework
// reports. Terraform validates every resource twice in a plan.
func (s *server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	if k := s.kinds[req.TypeName]; k != nil && k.valid(ctx, req.Config) {
		return &tfprotov6.ValidateResourceConfigResponse{}, nil
	}
	return s.ProviderServer.ValidateResourceConfig(ctx, req)
}

func (k *serverKind) valid(ctx context.Context, dv *tfprotov6.DynamicValue) bool {
	if k.checks == nil || dv == nil {
		return false
	}
	v, err := dv.Unmarshal(k.typ)
	if err != nil || v.IsNull() {
		return false
	}
	return k.checks.attrsValid(ctx, path.Empty(), v, tfsdk.Config{Raw: v, Schema: k.schema})
}

// UpgradeResourceState passes the stored state through, as the framework
// does for a state of the schema's own version, minus the framework's pass
// over it for blocks, which these schemas do not have. Terraform upgrades
// the state of every resource before each refresh.
func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	k := s.kinds[req.TypeName]
	if k == nil || req.RawState == nil || len(req.RawState.JSON) == 0 || req.Version != k.schema.Version {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	v, err := req.RawState.UnmarshalWithOpts(k.typ, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	dv, err := tfprotov6.NewDynamicValue(k.typ, v)
	if err != nil {
		return s.ProviderServer.UpgradeResourceState(ctx, req)
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

func (k *serverKind) unchanged(req *tfprotov6.PlanResourceChangeRequest) bool {
	if req.PriorState == nil || req.ProposedNewState == nil || req.Config == nil || len(req.PriorPrivate) > 0 || req.PriorIdentity != nil {
		return false
	}
	prior, proposed := req.PriorState.MsgPack, req.ProposedNewState.MsgPack
	if len(prior) == 0 || !bytes.Equal(prior, proposed) {
		return false
	}
	state, err := req.PriorState.Unmarshal(k.typ)
	if err != nil || state.IsNull() || !state.IsFullyKnown() {
		return false
	}
	config, err := req.Config.Unmarshal(k.typ)
	if err != nil || config.IsNull() {
		return false
	}
	return k.defaults.holds(config, state) && k.idHolds(state)
}

// idHolds: the id in state is the one ModifyPlan would plan.
func (k *serverKind) idHolds(state tftypes.Value) bool {
	attrs, err := rootAttrs(state)
	if err != nil {
		return false
	}
	meta, err := rootAttrs(attrs["metadata"])
	if err != nil {
		return false
	}
	var id, name, ns string
	if attrs["id"].As(&id) != nil || meta["name"].As(&name) != nil {
		return false
	}
	if k.m.scoped && meta["namespace"].As(&ns) != nil {
		return false
	}
	return id == k.m.id(ns, name)
}
