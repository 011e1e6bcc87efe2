package probe

import (
	"fmt"

	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	// Registers every extension type the xDS Translator emits, so that
	// nested typed_config can be decoded and validated, as Envoy would.
	_ "github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

type validator interface{ ValidateAll() error }

type named interface{ GetName() string }

type clusterNamed interface{ GetClusterName() string }

// decode unpacks and validates a whole response; one bad resource rejects
// it, as Envoy rejects an update.
func decode(resp interface {
	GetTypeUrl() string
	GetResources() []*anypb.Any
}) (map[string]proto.Message, error) {
	out := map[string]proto.Message{}
	for i, a := range resp.GetResources() {
		if a.GetTypeUrl() != resp.GetTypeUrl() {
			return nil, fmt.Errorf("resource %d: type %s in a %s response", i, a.GetTypeUrl(), resp.GetTypeUrl())
		}
		m, err := unpack(a)
		if err != nil {
			return nil, fmt.Errorf("resource %d: %w", i, err)
		}
		name := ""
		switch v := m.(type) {
		case clusterNamed:
			name = v.GetClusterName()
		case named:
			name = v.GetName()
		}
		if name == "" && resp.GetTypeUrl() != resourcev3.EndpointType {
			return nil, fmt.Errorf("resource %d: no name", i)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("resource %q: sent twice", name)
		}
		out[name] = m
	}
	return out, nil
}

// unpack decodes a and validates it and every Any nested in it.
func unpack(a *anypb.Any) (proto.Message, error) {
	m, err := a.UnmarshalNew()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.GetTypeUrl(), err)
	}
	if v, ok := m.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			return nil, err
		}
	}
	if err := walkAnys(m.ProtoReflect()); err != nil {
		return nil, err
	}
	return m, nil
}

func walkAnys(m protoreflect.Message) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind {
			return true
		}
		visit := func(msg protoreflect.Message) {
			if err != nil {
				return
			}
			if a, ok := msg.Interface().(*anypb.Any); ok {
				_, err = unpack(a)
				return
			}
			err = walkAnys(msg)
		}
		switch {
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				visit(v.List().Get(i).Message())
			}
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					visit(mv.Message())
					return err == nil
				})
			}
		default:
			visit(v.Message())
		}
		return err == nil
	})
	return err
}
