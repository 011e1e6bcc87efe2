package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/provider/internal/crdschema"
)

// ModifyPlan asks the Config Server for a dry-run of every planned change,
// so that an object the control plane would reject fails the plan, naming
// the field. It says nothing when it cannot know yet: an endpoint or
// values that other resources decide at apply time, and nothing in the
// plan a destroy makes to refresh.
func (r *objectResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	r.planID(ctx, req, resp)
	// Nothing to validate: the server holds this already, or a destroy is
	// refreshing (see destroying).
	if r.client == nil || req.Plan.Raw.Equal(req.State.Raw) || destroying() || !userPartKnown(req.Config) {
		return
	}
	obj, err := r.m.objectFrom(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid "+r.m.gvk.Kind, err.Error())
		return
	}
	_, err = r.client.DryRun(ctx, obj)
	if err == nil {
		return
	}
	se, ok := apiclient.AsStatus(err)
	if !ok || se.ErrStatus.Code != http.StatusUnprocessableEntity || se.ErrStatus.Details == nil || len(se.ErrStatus.Details.Causes) == 0 {
		resp.Diagnostics.Append(apiDiag("Dry-run of "+r.what(obj), err))
		return
	}
	for _, c := range se.ErrStatus.Details.Causes {
		summary := fmt.Sprintf("The control plane would reject this %s", r.m.gvk.Kind)
		detail := fmt.Sprintf("%s: %s", c.Field, c.Message)
		if p, ok := r.m.attributePath(c.Field); ok {
			resp.Diagnostics.AddAttributeError(p, summary, detail)
		} else {
			resp.Diagnostics.AddError(summary, detail)
		}
	}
}

func (r *objectResource) planID(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var name, ns types.String
	req.Plan.GetAttribute(ctx, path.Root("metadata").AtName("name"), &name)
	if r.m.scoped {
		req.Plan.GetAttribute(ctx, path.Root("metadata").AtName("namespace"), &ns)
		if ns.IsUnknown() {
			return
		}
	}
	if name.IsUnknown() || name.IsNull() {
		return
	}
	id := types.StringValue(r.m.id(ns.ValueString(), name.ValueString()))
	var planned types.String
	req.Plan.GetAttribute(ctx, path.Root("id"), &planned)
	// SetAttribute rebuilds the whole planned value; most plans already
	// hold the id (from state), so it is worth a look first.
	if planned.Equal(id) {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), id)...)
}

// userPartKnown: the config's metadata and spec hold no values that are
// only known at apply time.
func userPartKnown(config tfsdk.Config) bool {
	attrs, err := rootAttrs(config.Raw)
	if err != nil {
		return false
	}
	return attrs["metadata"].IsFullyKnown() && attrs["spec"].IsFullyKnown()
}

var fieldStep = regexp.MustCompile(`^([A-Za-z0-9_]+)((?:\[[^\]]*\])*)$`)

// attributePath maps a server field path (spec.rules[0].matches[0].path)
// to the Terraform attribute it came from.
func (m *kindModel) attributePath(field string) (path.Path, bool) {
	parts := strings.Split(field, ".")
	var node *crdschema.Node
	var p path.Path
	for i, part := range parts {
		sm := fieldStep.FindStringSubmatch(part)
		if sm == nil {
			return p, i > 0
		}
		if i == 0 {
			switch sm[1] {
			case "spec":
				node = m.spec
			case "metadata":
				node = m.meta
			default:
				return p, false
			}
			p = path.Root(node.Name)
		} else {
			child := node.Field(sm[1])
			if child == nil {
				return p, true
			}
			node, p = child, p.AtName(child.Name)
		}
		for _, idx := range regexp.MustCompile(`\[([^\]]*)\]`).FindAllStringSubmatch(sm[2], -1) {
			n, err := strconv.Atoi(idx[1])
			if node.Kind != crdschema.List || err != nil {
				return p, true
			}
			node, p = node.Elem, p.AtListIndex(n)
		}
	}
	return p, node != nil
}
