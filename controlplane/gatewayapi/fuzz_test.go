package gatewayapi

import (
	"bytes"
	"os"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// FuzzTranslate feeds arbitrary manifests (seeded with every golden input)
// through the decoder into Translate: no input may panic, break the IR's
// invariants, or make the output depend on input order.
func FuzzTranslate(f *testing.F) {
	for _, in := range goldenInputs(f) {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Whatever decoded is translated, even when other documents failed.
		res, _, _ := resource.Decode(data, "fuzz.yaml")
		if res == nil {
			return
		}
		r := Translate(res, Options{Now: fixedNow})
		checkInvariants(t, r)
		if again := Translate(shuffled(res, 7), Options{Now: fixedNow}); !bytes.Equal(render(t, r), render(t, again)) {
			t.Errorf("output depends on input order")
		}
	})
}
