package provider

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
)

// write stores obj and waits for the control plane's verdict. The state
// records what the server holds even when the verdict is a refusal, so
// Terraform taints the object rather than forgetting it.
func (r *objectResource) write(ctx context.Context, obj *unstructured.Unstructured, plan tftypes.Value, timeout time.Duration, state *tfsdk.State, diags *diag.Diagnostics) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := r.client.Put(ctx, obj, apiclient.WriteOptions{})
	if err != nil {
		diags.Append(apiDiag("Writing "+r.what(obj), err))
		return
	}
	final, werr := r.m.waitForVerdict(ctx, r.client, res.Object, waitForOf(plan))
	r.setState(ctx, final, plan, &state.Raw, diags)
	switch {
	case werr == nil:
	case errors.Is(werr, errVerdict):
		diags.AddError(r.what(obj)+" is not accepted", werr.Error())
	case ctx.Err() != nil:
		diags.AddError("Timed out waiting for "+r.what(obj), werr.Error())
	default:
		diags.Append(apiDiag("Waiting for "+r.what(obj), werr))
	}
}

func (r *objectResource) setState(ctx context.Context, obj *unstructured.Unstructured, prior tftypes.Value, out *tftypes.Value, diags *diag.Diagnostics) {
	rootType := prior.Type()
	v, err := r.m.stateFrom(ctx, rootType, obj.Object, prior)
	if err != nil {
		diags.AddError("Cannot read "+r.what(obj)+" from the server's answer", err.Error())
		return
	}
	*out = v
}

func waitForOf(plan tftypes.Value) string {
	attrs, err := rootAttrs(plan)
	var s string
	if err == nil && attrs["wait_for"].Type() != nil && attrs["wait_for"].IsKnown() && !attrs["wait_for"].IsNull() && attrs["wait_for"].As(&s) == nil {
		return s
	}
	return waitAccepted
}
