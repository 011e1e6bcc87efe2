package gatewayapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestResultNeverShowsPrivateKeys: the Result (what `translate` prints and
// the status path publishes) holds the IR, which holds certificates; the
// key must appear in it only as a digest.
func TestResultNeverShowsPrivateKeys(t *testing.T) {
	res := loadResources(t, "testdata/gateway-https-certificates.in.yaml")
	var key []byte
	for _, s := range res.Secrets {
		if s.Name == "cert" {
			key = s.Data[corev1.TLSPrivateKeyKey]
		}
	}
	if len(key) == 0 {
		t.Fatal("test input lost its key")
	}
	result := Translate(res, Options{Now: fixedNow})
	if len(result.IR["eg"].Secrets) == 0 || !bytes.Equal(result.IR["eg"].Secrets[0].PrivateKey, key) {
		t.Fatal("the IR does not carry the key the proxy needs")
	}
	out, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range [][]byte{key, []byte(base64.StdEncoding.EncodeToString(key)), []byte("PRIVATE KEY")} {
		if bytes.Contains(out, form) {
			t.Errorf("Result JSON shows the private key (%.24q...)", form)
		}
	}
}
