// Package validation checks resources the way a Kubernetes API server would:
// the Gateway API kinds and the project's own kinds against their
// CustomResourceDefinitions' OpenAPI v3 schemas and CEL rules
// (x-kubernetes-validations), using the apiextensions-apiserver code itself,
// so an object kube-apiserver would reject is rejected here with the same
// field path and message.
//
// Everything expensive (structural schemas, OpenAPI validators, compiled CEL
// programs) is built once per kind, on the kind's first use (or all at once
// by BuildAll); validating an object afterwards only walks it. The Validator
// is safe for concurrent use.
//
// Objects are unstructured maps as k8s.io/apimachinery decodes JSON: integers
// are int64, other numbers float64 (use FromJSON or FromYAML; encoding/json's
// float64-only maps would fail integer fields).
package validation

//go:generate sh copy-crds.sh
