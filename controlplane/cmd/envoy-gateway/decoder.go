package main

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// newDecoder returns a decoder that validates every object against its CRD
// schema and CEL rules, exactly as the Config Server does. The validator
// (every CRD's CEL programs, compiled: about half a second of one CPU) is
// built in the background while the files are read and their YAML parsed;
// only validating waits for it. ready returns the error of building it,
// which makes whatever the decoder reported meaningless.
func newDecoder() (dec *resource.Decoder, ready func() error) {
	p := &pendingValidator{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		v, err := validation.New()
		if err != nil {
			p.err = err
			return
		}
		p.crd, p.v = v, v.ForDecoder()
	}()
	return &resource.Decoder{Validator: p}, func() error { <-p.done; return p.err }
}

// pendingValidator is a validator being built; Validate waits for it.
type pendingValidator struct {
	done chan struct{}
	crd  *validation.Validator
	v    resource.Validator
	err  error
}

func (p *pendingValidator) Validate(obj map[string]any) (map[string]any, field.ErrorList) {
	<-p.done
	if p.err != nil {
		return nil, field.ErrorList{field.InternalError(field.NewPath("metadata"), p.err)}
	}
	return p.v.Validate(obj)
}

// ValidateUnknown is Validate (ForDecoder's hook) also returning the
// fields the schema pruned, which lets the decoder skip a strict decode of
// every valid object (see resource.UnknownFieldsValidator).
func (p *pendingValidator) ValidateUnknown(obj map[string]any) (map[string]any, []string, field.ErrorList) {
	<-p.done
	if p.err != nil {
		return nil, nil, field.ErrorList{field.InternalError(field.NewPath("metadata"), p.err)}
	}
	r, err := p.crd.CreateInPlace(obj)
	if err != nil {
		return nil, nil, field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
	}
	return r.Object, r.UnknownFields, r.Errors
}

// ConcurrentSafe: the CRD validator is (see validation.ForDecoder).
func (*pendingValidator) ConcurrentSafe() {}

var (
	_ resource.ConcurrentValidator    = (*pendingValidator)(nil)
	_ resource.UnknownFieldsValidator = (*pendingValidator)(nil)
)

func gwController(name string) gwapiv1.GatewayController { return gwapiv1.GatewayController(name) }
