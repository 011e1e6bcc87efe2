package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const (
	waitAccepted   = "Accepted"
	waitProgrammed = "Programmed"
)

// resourceSchema is the kind's resource schema: metadata, the CRD's spec
// as the user writes it, its status as computed, and the apply options.
func (m *kindModel) resourceSchema() (schema.Schema, error) {
	spec, err := m.spec.ResourceAttributes(false)
	if err != nil {
		return schema.Schema{}, err
	}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{Computed: true, MarkdownDescription: "`" + idForm(m) + "`, the import ID.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"metadata": schema.SingleNestedAttribute{Required: true, Attributes: m.metadataAttributes(),
			MarkdownDescription: "The object's name" + map[bool]string{true: ", namespace", false: ""}[m.scoped] + ", labels and annotations."},
		"spec": schema.SingleNestedAttribute{Required: true, Attributes: spec, CustomType: m.spec.ObjectType(), MarkdownDescription: m.spec.Description},
		"timeouts": schema.SingleNestedAttribute{Optional: true, MarkdownDescription: "How long create, update and delete may take, as Go durations (`\"90s\"`, `\"5m\"`); default " + defaultTimeout.String() + ".",
			Attributes: map[string]schema.Attribute{
				"create": schema.StringAttribute{Optional: true, Validators: []validator.String{durationValidator{}}},
				"update": schema.StringAttribute{Optional: true, Validators: []validator.String{durationValidator{}}},
				"delete": schema.StringAttribute{Optional: true, Validators: []validator.String{durationValidator{}}},
			}},
	}
	if m.status != nil {
		status, err := m.status.ResourceAttributes(true)
		if err != nil {
			return schema.Schema{}, err
		}
		attrs["status"] = schema.SingleNestedAttribute{Computed: true, Attributes: status, CustomType: m.status.ObjectType(), MarkdownDescription: m.status.Description}
		attrs["wait_for"] = schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(waitAccepted),
			Validators:          []validator.String{stringvalidator.OneOf(waitAccepted, waitProgrammed)},
			MarkdownDescription: "The condition an apply waits for once the control plane has seen the change: `Accepted` (default) or `Programmed` (where the kind has it). An apply fails when the object is not Accepted or its refs are not resolved."}
	}
	return schema.Schema{MarkdownDescription: m.desc, Attributes: attrs}, nil
}

func idForm(m *kindModel) string {
	if m.scoped {
		return "namespace/name"
	}
	return "name"
}

func (m *kindModel) metadataAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"name": schema.StringAttribute{Required: true, MarkdownDescription: "The object's name. Changing it replaces the object.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"labels":      schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Labels, as on Kubernetes objects."},
		"annotations": schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Annotations, as on Kubernetes objects."},
	}
	if m.scoped {
		attrs["namespace"] = schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("default"),
			MarkdownDescription: "The object's namespace, `default` if not set. Changing it replaces the object.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}}
	}
	return attrs
}
