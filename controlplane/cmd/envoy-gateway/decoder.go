package main

import (
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// newDecoder returns a decoder that validates every object against its CRD
// schema and CEL rules, exactly as the Config Server does.
func newDecoder() (*resource.Decoder, error) {
	v, err := validation.New()
	if err != nil {
		return nil, err
	}
	return &resource.Decoder{Validator: v.ForDecoder()}, nil
}

func gwController(name string) gwapiv1.GatewayController { return gwapiv1.GatewayController(name) }
