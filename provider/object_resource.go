package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// objectResource is a resource type for one kind; every kind behaves the
// same way and differs only in its schema.
type objectResource struct {
	m      *kindModel
	client *apiclient.Client
	// configured: Configure ran; client is nil when the endpoint is unknown.
	configured bool
}

var (
	_ resource.ResourceWithConfigure   = (*objectResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*objectResource)(nil)
	_ resource.ResourceWithImportState = (*objectResource)(nil)
)

func newObjectResource(m *kindModel) resource.Resource { return &objectResource{m: m} }

func (r *objectResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.m.typeName
}

func (r *objectResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	s, err := r.m.resourceSchema()
	if err != nil {
		resp.Diagnostics.AddError("Schema of "+r.m.gvk.Kind, err.Error())
		return
	}
	resp.Schema = s
}

func (r *objectResource) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	if d, ok := req.ProviderData.(*providerData); ok {
		r.client, r.configured = d.client, true
	}
}

func (r *objectResource) what(obj *unstructured.Unstructured) string {
	return fmt.Sprintf("%s %s", r.m.gvk.Kind, r.m.id(obj.GetNamespace(), obj.GetName()))
}

func (r *objectResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.client == nil {
		resp.Diagnostics.AddError("The envoygateway provider has no endpoint", "The provider's endpoint must be known to create objects.")
		return
	}
	obj, err := r.m.objectFrom(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid "+r.m.gvk.Kind, err.Error())
		return
	}
	_, err = r.client.Get(ctx, r.m.gvk, obj.GetNamespace(), obj.GetName())
	switch {
	case err == nil:
		resp.Diagnostics.AddError(r.what(obj)+" already exists",
			fmt.Sprintf("To manage it with Terraform, import it: terraform import envoygateway_%s.<name> %s", r.m.typeName, r.m.id(obj.GetNamespace(), obj.GetName())))
		return
	case !apierrors.IsNotFound(err):
		resp.Diagnostics.Append(apiDiag("Reading "+r.what(obj), err))
		return
	}
	r.write(ctx, obj, req.Plan.Raw, timeoutOf(req.Plan.Raw, "create"), &resp.State, &resp.Diagnostics)
}

func (r *objectResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.client == nil {
		resp.Diagnostics.AddError("The envoygateway provider has no endpoint", "The provider's endpoint must be known to update objects.")
		return
	}
	obj, err := r.m.objectFrom(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid "+r.m.gvk.Kind, err.Error())
		return
	}
	r.write(ctx, obj, req.Plan.Raw, timeoutOf(req.Plan.Raw, "update"), &resp.State, &resp.Diagnostics)
}

func (r *objectResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.client == nil {
		resp.Diagnostics.AddError("The envoygateway provider has no endpoint", "The provider's endpoint must be known to delete objects.")
		return
	}
	obj, err := r.m.objectFrom(req.State.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid state of "+r.m.gvk.Kind, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeoutOf(req.State.Raw, "delete"))
	defer cancel()
	if _, err := r.client.Delete(ctx, r.m.gvk, obj.GetNamespace(), obj.GetName(), apiclient.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		resp.Diagnostics.Append(apiDiag("Deleting "+r.what(obj), err))
	}
}

func (r *objectResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.client == nil {
		return
	}
	next, gone, diags := r.m.refresh(ctx, r.client, req.State.Raw)
	resp.Diagnostics.Append(diags...)
	switch {
	case diags.HasError():
	case gone:
		// Deleted out of band: the next plan creates it again.
		resp.State.RemoveResource(ctx)
	default:
		resp.State.Raw = next
	}
}

// refresh is the state of the object prior describes, as the server holds
// it now; gone when it no longer exists.
func (m *kindModel) refresh(ctx context.Context, c *apiclient.Client, prior tftypes.Value) (next tftypes.Value, gone bool, diags diag.Diagnostics) {
	obj, err := m.objectFrom(prior)
	if err != nil {
		diags.AddError("Invalid state of "+m.gvk.Kind, err.Error())
		return next, false, diags
	}
	what := fmt.Sprintf("%s %s", m.gvk.Kind, m.id(obj.GetNamespace(), obj.GetName()))
	cur, err := c.Get(ctx, m.gvk, obj.GetNamespace(), obj.GetName())
	if apierrors.IsNotFound(err) {
		return next, true, diags
	}
	if err != nil {
		diags.Append(apiDiag("Reading "+what, err))
		return next, false, diags
	}
	next, err = m.stateFrom(ctx, prior.Type(), cur.Object, prior)
	if err != nil {
		diags.AddError("Cannot read "+what+" from the server's answer", err.Error())
	}
	return next, false, diags
}

func (r *objectResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ns, name, ok := strings.Cut(req.ID, "/")
	if !ok {
		ns, name = "default", req.ID
	}
	if !r.m.scoped {
		ns = ""
		if ok {
			resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%s is cluster-scoped: import it by name, not %q", r.m.gvk.Kind, req.ID))
			return
		}
	}
	if name == "" || strings.Contains(name, "/") {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("want %s, got %q", idForm(r.m), req.ID))
		return
	}
	meta := map[string]any{"name": name}
	if r.m.scoped {
		meta["namespace"] = ns
	}
	rootType := resp.State.Schema.Type().TerraformType(ctx)
	v, err := r.m.stateFrom(ctx, rootType, map[string]any{"metadata": meta}, tftypes.NewValue(rootType, nil))
	if err != nil {
		resp.Diagnostics.AddError("Import of "+r.m.gvk.Kind, err.Error())
		return
	}
	resp.State.Raw = v
}
