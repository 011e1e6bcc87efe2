package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// ForDecoder adapts v to the decoder's hook, so that files, the CLI and the
// Config Server reject exactly the same objects. A malformed object (what
// the API server answers with 400) is reported as an error on metadata.
// The hook is a resource.ConcurrentValidator: a Validator serves many
// goroutines, so large manifests are validated on every CPU.
func (v *Validator) ForDecoder() resource.Validator { return decoderHook{v} }

type decoderHook struct{ v *Validator }

func (h decoderHook) Validate(obj map[string]any) (map[string]any, field.ErrorList) {
	// The decoder hands over an object it has just decoded for this call.
	r, err := h.v.CreateInPlace(obj)
	if err != nil {
		return nil, field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
	}
	return r.Object, r.Errors
}

func (decoderHook) ConcurrentSafe() {}
