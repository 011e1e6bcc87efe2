package resource

import (
	"reflect"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// checkSecret applies the API server's rule for TLS Secrets: both PEM
// entries must be present. Whether they parse is the translator's concern
// (a listener reports InvalidCertificateRef), as on Kubernetes. Errors
// never quote values: a Secret's data must not reach a log.
func checkSecret(obj Object) field.ErrorList {
	s := obj.(*corev1.Secret)
	if s.Type != corev1.SecretTypeTLS {
		return nil
	}
	var errs field.ErrorList
	for _, k := range []string{corev1.TLSCertKey, corev1.TLSPrivateKeyKey} {
		if _, ok := SecretValue(s, k); !ok {
			errs = append(errs, field.Required(field.NewPath("data").Key(k), "a kubernetes.io/tls Secret needs it"))
		}
	}
	return errs
}

// SecretValue reads key from data, or from stringData, which an API server
// would have merged into data on write (stringData wins there too).
func SecretValue(s *corev1.Secret, key string) ([]byte, bool) {
	if v, ok := s.StringData[key]; ok {
		return []byte(v), true
	}
	v, ok := s.Data[key]
	return v, ok
}

// Add appends obj to the slice of its kind; false if Resources holds no
// such kind. Config sources use it so that a kind added to the table
// reaches the translator without touching them.
func (r *Resources) Add(obj Object) bool {
	ki, ok := kindOfType(obj)
	if !ok {
		return false
	}
	ki.add(r, obj)
	return true
}

func kindOfType(obj Object) (*kindInfo, bool) {
	name, ok := kindByType[reflect.TypeOf(obj)]
	if !ok {
		return nil, false
	}
	for i := range kinds {
		if kinds[i].kind == name {
			return &kinds[i], true
		}
	}
	return nil, false
}
