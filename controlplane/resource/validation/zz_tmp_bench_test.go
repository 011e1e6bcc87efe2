package validation

import (
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	sigsjson "sigs.k8s.io/json"
)

const tmpSvc = `
apiVersion: v1
kind: Service
metadata:
  name: be-2
  namespace: ns-2
spec:
  ports:
  - name: http
    port: 80
    targetPort: 0
`

func BenchmarkTmpConverter(b *testing.B) {
	obj := mustYAML(b, tmpSvc)
	for b.Loop() {
		var s corev1.Service
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj, &s, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTmpJSON(b *testing.B) {
	obj := mustYAML(b, tmpSvc)
	for b.Loop() {
		var s corev1.Service
		data, _ := json.Marshal(obj)
		if se, err := sigsjson.UnmarshalStrict(data, &s); err != nil || len(se) > 0 {
			b.Fatal(err)
		}
	}
}

func BenchmarkTmpJSONDecodeOnly(b *testing.B) {
	obj := mustYAML(b, tmpSvc)
	data, _ := json.Marshal(obj)
	for b.Loop() {
		var s corev1.Service
		if se, err := sigsjson.UnmarshalStrict(data, &s); err != nil || len(se) > 0 {
			b.Fatal(err)
		}
	}
}

func BenchmarkTmpToUnstructured(b *testing.B) {
	obj := mustYAML(b, tmpSvc)
	var s corev1.Service
	runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj, &s, true)
	for b.Loop() {
		runtime.DefaultUnstructuredConverter.ToUnstructured(&s)
	}
}

func BenchmarkTmpCreate(b *testing.B) {
	v := validator(b)
	obj := mustYAML(b, tmpSvc)
	for b.Loop() {
		if r, err := v.Create(obj); err != nil || len(r.Errors) > 0 {
			b.Fatal(err, r.Errors)
		}
	}
}
