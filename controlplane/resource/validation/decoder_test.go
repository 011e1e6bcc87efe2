package validation

import (
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// Files are validated in parallel only if the hook says it may be shared.
func TestForDecoderIsConcurrent(t *testing.T) {
	if _, ok := validator(t).ForDecoder().(resource.ConcurrentValidator); !ok {
		t.Error("ForDecoder's hook is not a resource.ConcurrentValidator, so manifests are validated on one CPU")
	}
}
