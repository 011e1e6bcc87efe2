package validation

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// coreKinds are the built-in kinds a config source may carry alongside the
// Gateway API objects. The rules and messages follow
// k8s.io/kubernetes/pkg/apis/core/validation and .../discovery/validation.
func coreKinds() []kindValidator {
	kinds := []kindValidator{
		&coreKind[corev1.Namespace, *corev1.Namespace]{
			gvk:    schema.GroupVersionKind{Version: "v1", Kind: "Namespace"},
			nameFn: apimachineryvalidation.ValidateNamespaceName,
		},
		&coreKind[corev1.Service, *corev1.Service]{
			gvk: schema.GroupVersionKind{Version: "v1", Kind: "Service"}, namespaced: true,
			nameFn: apimachineryvalidation.NameIsDNS1035Label,
			spec:   validateServiceSpec, defaults: defaultService,
		},
		&coreKind[corev1.Secret, *corev1.Secret]{
			gvk: schema.GroupVersionKind{Version: "v1", Kind: "Secret"}, namespaced: true,
			nameFn: apimachineryvalidation.NameIsDNSSubdomain,
			spec: func(s *corev1.Secret) field.ErrorList {
				return validateDataKeys(sets.KeySet(s.Data).Union(sets.KeySet(s.StringData)), field.NewPath("data"))
			},
		},
		&coreKind[corev1.ConfigMap, *corev1.ConfigMap]{
			gvk: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, namespaced: true,
			nameFn: apimachineryvalidation.NameIsDNSSubdomain,
			spec: func(c *corev1.ConfigMap) field.ErrorList {
				return validateDataKeys(sets.KeySet(c.Data).Union(sets.KeySet(c.BinaryData)), field.NewPath("data"))
			},
		},
		&coreKind[discoveryv1.EndpointSlice, *discoveryv1.EndpointSlice]{
			gvk: schema.GroupVersionKind{Group: "discovery.k8s.io", Version: "v1", Kind: "EndpointSlice"}, namespaced: true,
			nameFn: apimachineryvalidation.NameIsDNSSubdomain,
			spec:   validateEndpointSlice, defaults: defaultEndpointSlice,
		},
	}
	for _, k := range kinds {
		k.(interface{ setup() }).setup()
	}
	return kinds
}

var (
	serviceTypes  = sets.New(corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeExternalName)
	protocols     = sets.New(corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP)
	addressTypes  = sets.New(discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6, discoveryv1.AddressTypeFQDN)
	maxSliceItems = 1000
	maxSlicePorts = 100
	maxSliceAddrs = 100
)

func defaultService(s *corev1.Service) {
	if s.Spec.Type == "" {
		s.Spec.Type = corev1.ServiceTypeClusterIP
	}
	for i := range s.Spec.Ports {
		p := &s.Spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = corev1.ProtocolTCP
		}
		if p.TargetPort == (intstr.IntOrString{}) {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
}

func validateServiceSpec(s *corev1.Service) field.ErrorList {
	specPath := field.NewPath("spec")
	var errs field.ErrorList
	if !serviceTypes.Has(s.Spec.Type) {
		errs = append(errs, field.NotSupported(specPath.Child("type"), s.Spec.Type, sets.List(serviceTypes)))
	}
	if s.Spec.Type == corev1.ServiceTypeExternalName {
		p := specPath.Child("externalName")
		if s.Spec.ExternalName == "" {
			errs = append(errs, field.Required(p, ""))
		}
		for _, msg := range utilvalidation.IsDNS1123Subdomain(s.Spec.ExternalName) {
			if s.Spec.ExternalName != "" {
				errs = append(errs, field.Invalid(p, s.Spec.ExternalName, msg))
			}
		}
		return errs
	}
	portsPath := specPath.Child("ports")
	if len(s.Spec.Ports) == 0 && s.Spec.ClusterIP != corev1.ClusterIPNone {
		errs = append(errs, field.Required(portsPath, ""))
	}
	names := sets.New[string]()
	for i, port := range s.Spec.Ports {
		errs = append(errs, validateServicePort(&port, len(s.Spec.Ports) > 1, names, portsPath.Index(i))...)
	}
	return errs
}

func validateServicePort(sp *corev1.ServicePort, requireName bool, names sets.Set[string], p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if requireName && sp.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), ""))
	} else if sp.Name != "" {
		for _, msg := range utilvalidation.IsDNS1123Label(sp.Name) {
			errs = append(errs, field.Invalid(p.Child("name"), sp.Name, msg))
		}
		if names.Has(sp.Name) {
			errs = append(errs, field.Duplicate(p.Child("name"), sp.Name))
		}
		names.Insert(sp.Name)
	}
	for _, msg := range utilvalidation.IsValidPortNum(int(sp.Port)) {
		errs = append(errs, field.Invalid(p.Child("port"), sp.Port, msg))
	}
	if !protocols.Has(sp.Protocol) {
		errs = append(errs, field.NotSupported(p.Child("protocol"), sp.Protocol, sets.List(protocols)))
	}
	errs = append(errs, validatePortNumOrName(sp.TargetPort, p.Child("targetPort"))...)
	return errs
}

func validatePortNumOrName(port intstr.IntOrString, p *field.Path) field.ErrorList {
	if port.Type == intstr.String {
		var errs field.ErrorList
		for _, msg := range utilvalidation.IsValidPortName(port.StrVal) {
			errs = append(errs, field.Invalid(p, port.StrVal, msg))
		}
		return errs
	}
	var errs field.ErrorList
	for _, msg := range utilvalidation.IsValidPortNum(port.IntValue()) {
		errs = append(errs, field.Invalid(p, port.IntValue(), msg))
	}
	return errs
}

func validateDataKeys(keys sets.Set[string], p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, key := range sets.List(keys) {
		for _, msg := range utilvalidation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(p.Key(key), key, msg))
		}
	}
	return errs
}

func defaultEndpointSlice(s *discoveryv1.EndpointSlice) {
	for i := range s.Ports {
		if s.Ports[i].Protocol == nil {
			tcp := corev1.ProtocolTCP
			s.Ports[i].Protocol = &tcp
		}
	}
}

func validateEndpointSlice(s *discoveryv1.EndpointSlice) field.ErrorList {
	var errs field.ErrorList
	if !addressTypes.Has(s.AddressType) {
		if s.AddressType == "" {
			errs = append(errs, field.Required(field.NewPath("addressType"), ""))
		} else {
			errs = append(errs, field.NotSupported(field.NewPath("addressType"), s.AddressType, sets.List(addressTypes)))
		}
	}
	epPath := field.NewPath("endpoints")
	if len(s.Endpoints) > maxSliceItems {
		errs = append(errs, field.TooMany(epPath, len(s.Endpoints), maxSliceItems))
	}
	for i, ep := range s.Endpoints {
		errs = append(errs, validateSliceEndpoint(&ep, s.AddressType, epPath.Index(i))...)
	}
	portsPath := field.NewPath("ports")
	if len(s.Ports) > maxSlicePorts {
		errs = append(errs, field.TooMany(portsPath, len(s.Ports), maxSlicePorts))
	}
	names := sets.New[string]()
	for i, port := range s.Ports {
		p := portsPath.Index(i)
		name := ""
		if port.Name != nil {
			name = *port.Name
		}
		if name != "" {
			for _, msg := range utilvalidation.IsDNS1123Label(name) {
				errs = append(errs, field.Invalid(p.Child("name"), name, msg))
			}
		}
		if names.Has(name) {
			errs = append(errs, field.Duplicate(p.Child("name"), name))
		}
		names.Insert(name)
		if port.Protocol == nil || !protocols.Has(*port.Protocol) {
			errs = append(errs, field.NotSupported(p.Child("protocol"), port.Protocol, sets.List(protocols)))
		}
		if port.Port != nil {
			for _, msg := range utilvalidation.IsInRange(int(*port.Port), 0, 65535) {
				errs = append(errs, field.Invalid(p.Child("port"), *port.Port, msg))
			}
		}
	}
	return errs
}

func validateSliceEndpoint(ep *discoveryv1.Endpoint, addressType discoveryv1.AddressType, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	addrPath := p.Child("addresses")
	switch n := len(ep.Addresses); {
	case n == 0:
		errs = append(errs, field.Required(addrPath, "must contain at least 1 address"))
	case n > maxSliceAddrs:
		errs = append(errs, field.TooMany(addrPath, n, maxSliceAddrs))
	}
	for i, addr := range ep.Addresses {
		ap := addrPath.Index(i)
		switch addressType {
		case discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6:
			errs = append(errs, validateSliceIP(addr, addressType, ap)...)
		case discoveryv1.AddressTypeFQDN:
			for _, msg := range utilvalidation.IsDNS1123Subdomain(addr) {
				errs = append(errs, field.Invalid(ap, addr, msg))
			}
		}
	}
	return errs
}

func validateSliceIP(addr string, addressType discoveryv1.AddressType, p *field.Path) field.ErrorList {
	if errs := utilvalidation.IsValidIP(p, addr); len(errs) > 0 {
		return errs
	}
	ip, _ := netip.ParseAddr(addr)
	isV4 := ip.Is4()
	if (addressType == discoveryv1.AddressTypeIPv4) != isV4 {
		return field.ErrorList{field.Invalid(p, addr, fmt.Sprintf("must be an %s address", addressType))}
	}
	return nil
}
