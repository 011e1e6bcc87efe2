package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// defaultTimeout bounds an apply's wait for the verdict when the user sets
// no timeout.
const defaultTimeout = 5 * time.Minute

// timeoutOf reads timeouts.<op> from a root value.
func timeoutOf(root tftypes.Value, op string) time.Duration {
	attrs, err := rootAttrs(root)
	if err != nil {
		return defaultTimeout
	}
	t := attrs["timeouts"]
	if t.Type() == nil || t.IsNull() || !t.IsKnown() {
		return defaultTimeout
	}
	var ops map[string]tftypes.Value
	if t.As(&ops) != nil {
		return defaultTimeout
	}
	var s string
	if v := ops[op]; v.IsKnown() && !v.IsNull() && v.As(&s) == nil {
		if d, err := time.ParseDuration(s); err == nil {
			return d
		}
	}
	return defaultTimeout
}

type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a Go duration such as 90s or 5m"
}
func (d durationValidator) MarkdownDescription(ctx context.Context) string {
	return d.Description(ctx)
}

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timeout", "Want a positive Go duration such as \"90s\" or \"5m\", got "+req.ConfigValue.String())
	}
}
