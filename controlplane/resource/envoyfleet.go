package resource

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// KindEnvoyFleet is the project's kind that a GatewayClass's parametersRef
// names: how the class's Envoy fleet is provisioned.
const KindEnvoyFleet = "EnvoyFleet"

// EnvoyFleet says how the provisioner creates one GatewayClass's fleet: which
// Terraform module to run and with what. It is cluster-scoped, like the
// GatewayClass that refers to it.
type EnvoyFleet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              EnvoyFleetSpec `json:"spec"`
}

// EnvoyFleetSpec is the module, its inputs and where its state lives.
type EnvoyFleetSpec struct {
	Module FleetModule `json:"module"`
	// Variables are passed to the module as they are, besides the inputs of
	// the module contract, which they must not name.
	Variables map[string]json.RawMessage `json:"variables,omitempty"`
	// Replicas is the number of proxies; nil means 1.
	Replicas *int32 `json:"replicas,omitempty"`
	// EnvoyVersion is an Envoy release ("1.36.2") or, for modules that run
	// containers, an image reference; the module's envoy_version input.
	EnvoyVersion string `json:"envoyVersion,omitempty"`
	// Backend is the Terraform backend of the fleet's state; nil means a
	// local state file in the fleet's working directory.
	Backend *FleetBackend `json:"backend,omitempty"`
}

// FleetModule is a Terraform module source.
type FleetModule struct {
	// Source is a path starting with ./ or ../ (relative to the control
	// plane's module root), or any source Terraform accepts.
	Source string `json:"source"`
	// Version constrains a registry module; local paths take none.
	Version string `json:"version,omitempty"`
}

// FleetBackend is a Terraform backend block and its -backend-config values.
type FleetBackend struct {
	Type   string            `json:"type"`
	Config map[string]string `json:"config,omitempty"`
}

// ContractInputs are the module inputs the provisioner sets itself; the
// module contract in modules/README.md defines them.
var ContractInputs = []string{"name", "envoy_bootstrap", "ports", "replicas", "envoy_version"}

// ReplicasOrDefault is the replica count with the default applied.
func (s *EnvoyFleetSpec) ReplicasOrDefault() int32 {
	if s.Replicas == nil {
		return 1
	}
	return *s.Replicas
}

// IsLocalModule reports whether source is a local path, which Terraform
// uses in place (no copy, no version).
func IsLocalModule(source string) bool {
	return strings.HasPrefix(source, "./") || strings.HasPrefix(source, "../")
}

var (
	identRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	backendRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// maxReplicas bounds a fleet so that a typo cannot order a thousand VMs.
const maxReplicas = 1000

func checkEnvoyFleet(obj Object) field.ErrorList {
	f := obj.(*EnvoyFleet)
	spec := field.NewPath("spec")
	var errs field.ErrorList
	mod := spec.Child("module")
	switch src := f.Spec.Module.Source; {
	case strings.TrimSpace(src) == "":
		errs = append(errs, field.Required(mod.Child("source"), "a module source is required"))
	case IsLocalModule(src) && f.Spec.Module.Version != "":
		errs = append(errs, field.Invalid(mod.Child("version"), f.Spec.Module.Version,
			"a local module path takes no version"))
	}
	for _, name := range sortedKeys(f.Spec.Variables) {
		p := spec.Child("variables").Key(name)
		switch {
		case slices.Contains(ContractInputs, name):
			errs = append(errs, field.Forbidden(p, fmt.Sprintf("%q is set by the provisioner (module contract inputs: %s)",
				name, strings.Join(ContractInputs, ", "))))
		case !identRe.MatchString(name):
			errs = append(errs, field.Invalid(p, name, "must be a Terraform identifier"))
		case !json.Valid(f.Spec.Variables[name]):
			errs = append(errs, field.Invalid(p, string(f.Spec.Variables[name]), "not a JSON value"))
		}
	}
	if r := f.Spec.Replicas; r != nil && (*r < 0 || *r > maxReplicas) {
		errs = append(errs, field.Invalid(spec.Child("replicas"), *r, fmt.Sprintf("must be from 0 to %d", maxReplicas)))
	}
	if b := f.Spec.Backend; b != nil && !backendRe.MatchString(b.Type) {
		errs = append(errs, field.Invalid(spec.Child("backend", "type"), b.Type,
			`must be a Terraform backend type such as "local", "s3", "gcs" or "azurerm"`))
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// DeepCopyInto copies f into out.
func (f *EnvoyFleet) DeepCopyInto(out *EnvoyFleet) {
	*out = *f
	f.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	if f.Spec.Variables != nil {
		out.Spec.Variables = make(map[string]json.RawMessage, len(f.Spec.Variables))
		for k, v := range f.Spec.Variables {
			out.Spec.Variables[k] = append(json.RawMessage(nil), v...)
		}
	}
	if f.Spec.Replicas != nil {
		r := *f.Spec.Replicas
		out.Spec.Replicas = &r
	}
	if b := f.Spec.Backend; b != nil {
		nb := &FleetBackend{Type: b.Type}
		if b.Config != nil {
			nb.Config = make(map[string]string, len(b.Config))
			for k, v := range b.Config {
				nb.Config[k] = v
			}
		}
		out.Spec.Backend = nb
	}
}

// DeepCopy returns a copy of f that shares no memory with it.
func (f *EnvoyFleet) DeepCopy() *EnvoyFleet {
	if f == nil {
		return nil
	}
	out := new(EnvoyFleet)
	f.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (f *EnvoyFleet) DeepCopyObject() runtime.Object {
	if c := f.DeepCopy(); c != nil {
		return c
	}
	return nil
}
