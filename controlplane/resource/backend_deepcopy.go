package resource

import "k8s.io/apimachinery/pkg/runtime"

// The Gateway API and Kubernetes types ship generated deep copies; Backend is
// small enough to write its own, which makes it a runtime.Object.

// DeepCopyInto copies b into out.
func (b *Backend) DeepCopyInto(out *Backend) {
	*out = *b
	out.TypeMeta = b.TypeMeta
	b.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	if b.Spec.Endpoints != nil {
		out.Spec.Endpoints = append([]BackendEndpoint(nil), b.Spec.Endpoints...)
	}
}

// DeepCopy returns a copy of b that shares no memory with it.
func (b *Backend) DeepCopy() *Backend {
	if b == nil {
		return nil
	}
	out := new(Backend)
	b.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (b *Backend) DeepCopyObject() runtime.Object {
	if c := b.DeepCopy(); c != nil {
		return c
	}
	return nil
}
