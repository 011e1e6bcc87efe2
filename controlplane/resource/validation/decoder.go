package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// ForDecoder adapts v to the decoder's hook, so that files, the CLI and the
// Config Server reject exactly the same objects. A malformed object (what
// the API server answers with 400) is reported as an error on metadata.
func (v *Validator) ForDecoder() resource.Validator {
	return resource.ValidatorFunc(func(obj map[string]any) (map[string]any, field.ErrorList) {
		r, err := v.Create(obj)
		if err != nil {
			return nil, field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
		}
		return r.Object, r.Errors
	})
}
