package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// objectDataSource reads one existing object, with its status.
type objectDataSource struct {
	m      *kindModel
	client *apiclient.Client
}

var _ datasource.DataSourceWithConfigure = (*objectDataSource)(nil)

func (d *objectDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.m.typeName
}

func (d *objectDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	if p, ok := req.ProviderData.(*providerData); ok {
		d.client = p.client
	}
}

func (d *objectDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	meta := map[string]schema.Attribute{
		"name":        schema.StringAttribute{Required: true, MarkdownDescription: "The object's name."},
		"labels":      schema.MapAttribute{Computed: true, ElementType: types.StringType},
		"annotations": schema.MapAttribute{Computed: true, ElementType: types.StringType},
	}
	if d.m.scoped {
		meta["namespace"] = schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "The object's namespace, `default` if not set."}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an existing " + d.m.gvk.Kind + ": its spec and the status the control plane gave it.",
		Attributes: map[string]schema.Attribute{
			"id":       schema.StringAttribute{Computed: true, MarkdownDescription: "`" + idForm(d.m) + "`."},
			"metadata": schema.SingleNestedAttribute{Required: true, Attributes: meta},
			"spec":     schema.SingleNestedAttribute{Computed: true, Attributes: d.m.spec.DataSourceAttributes(), CustomType: d.m.spec.ObjectType(), MarkdownDescription: d.m.spec.Description},
			"status":   schema.SingleNestedAttribute{Computed: true, Attributes: d.m.status.DataSourceAttributes(), CustomType: d.m.status.ObjectType(), MarkdownDescription: d.m.status.Description},
		},
	}
}

func (d *objectDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.client == nil {
		resp.Diagnostics.AddError("The envoygateway provider has no endpoint", "The provider's endpoint must be known to read objects.")
		return
	}
	var name, ns types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("metadata").AtName("name"), &name)...)
	if d.m.scoped {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("metadata").AtName("namespace"), &ns)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	namespace := ns.ValueString()
	if d.m.scoped && namespace == "" {
		namespace = "default"
	}
	obj, err := d.client.Get(ctx, d.m.gvk, namespace, name.ValueString())
	if err != nil {
		resp.Diagnostics.Append(apiDiag("Reading "+d.m.gvk.Kind+" "+d.m.id(namespace, name.ValueString()), err))
		return
	}
	attrs := map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, d.m.id(namespace, name.ValueString()))}
	meta, _ := obj.Object["metadata"].(map[string]any)
	for key, conv := range map[string]func() (tftypes.Value, error){
		"metadata": func() (tftypes.Value, error) { return d.m.meta.FromJSON(meta) },
		"spec":     func() (tftypes.Value, error) { return d.m.spec.FromJSON(obj.Object["spec"]) },
		"status":   func() (tftypes.Value, error) { return d.m.status.FromJSON(obj.Object["status"]) },
	} {
		if attrs[key], err = conv(); err != nil {
			resp.Diagnostics.AddError("Cannot read "+d.m.gvk.Kind+" "+key, err.Error())
			return
		}
	}
	resp.State.Raw = tftypes.NewValue(resp.State.Schema.Type().TerraformType(ctx), attrs)
}
