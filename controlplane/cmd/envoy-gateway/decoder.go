package main

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// newDecoder returns a decoder that validates every object against its CRD
// schema and CEL rules, exactly as the Config Server does. The validator
// compiles a kind's CEL programs when the first object of that kind
// arrives, so a run pays only for the kinds its files hold.
func newDecoder() (*resource.Decoder, error) {
	v, err := validation.New()
	if err != nil {
		return nil, err
	}
	return &resource.Decoder{Validator: crdValidator{crd: v, v: v.ForDecoder()}}, nil
}

// crdValidator is the CRD validator as the decoder's Validator, with the
// hook that lets it validate before its one strict decode.
type crdValidator struct {
	crd *validation.Validator
	v   resource.Validator
}

func (c crdValidator) Validate(obj map[string]any) (map[string]any, field.ErrorList) {
	return c.v.Validate(obj)
}

// ValidateUnknown is Validate (ForDecoder's hook) also returning the
// fields the schema pruned, which lets the decoder skip a strict decode of
// every valid object (see resource.UnknownFieldsValidator).
func (c crdValidator) ValidateUnknown(obj map[string]any) (map[string]any, []string, field.ErrorList) {
	r, err := c.crd.CreateInPlace(obj)
	if err != nil {
		return nil, nil, field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
	}
	return r.Object, r.UnknownFields, r.Errors
}

// ConcurrentSafe: the CRD validator is (see validation.ForDecoder).
func (crdValidator) ConcurrentSafe() {}

var (
	_ resource.ConcurrentValidator    = crdValidator{}
	_ resource.UnknownFieldsValidator = crdValidator{}
)

func gwController(name string) gwapiv1.GatewayController { return gwapiv1.GatewayController(name) }
