package resource

import (
	"net"
	"net/netip"
	"strconv"
	"strings"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// nameRule is the metadata.name rule Kubernetes applies to a kind.
type nameRule int

const (
	nameSubdomain nameRule = iota // most kinds: DNS-1123 subdomain
	nameLabel                     // Namespace: DNS-1123 label
	nameLabel1035                 // Service: DNS-1035 label
)

func (r nameRule) fn() apivalidation.ValidateNameFunc {
	switch r {
	case nameLabel:
		return apivalidation.NameIsDNSLabel
	case nameLabel1035:
		return apivalidation.NameIsDNS1035Label
	}
	return apivalidation.NameIsDNSSubdomain
}

// checkObject runs the checks that need no schema: object metadata as the
// Kubernetes API server checks it, then the kind's own checks.
//
// A cluster-scoped object (GatewayClass, Namespace) that names a namespace is
// an error ("metadata.namespace: Forbidden"), as in the API server: silently
// dropping it would hide a manifest that means something else.
func checkObject(ki *kindInfo, obj Object) field.ErrorList {
	meta := field.NewPath("metadata")
	var errs field.ErrorList
	if obj.GetName() == "" {
		errs = append(errs, field.Required(meta.Child("name"), "name is required"))
	}
	for _, e := range apivalidation.ValidateObjectMetaAccessor(obj, ki.namespaced, ki.nameRule.fn(), meta) {
		// generateName cannot be honoured by a file: the name is required.
		if e.Type == field.ErrorTypeRequired && e.Field == "metadata.name" {
			continue
		}
		errs = append(errs, e)
	}
	if ki.check != nil {
		errs = append(errs, ki.check(obj)...)
	}
	return errs
}

// checkBackend checks what the proxy needs of a Backend: at least one
// endpoint, each a usable address and port.
func checkBackend(obj Object) field.ErrorList {
	b := obj.(*Backend)
	p := field.NewPath("spec", "endpoints")
	if len(b.Spec.Endpoints) == 0 {
		return field.ErrorList{field.Required(p, "a Backend needs at least one endpoint")}
	}
	var errs field.ErrorList
	for i, ep := range b.Spec.Endpoints {
		if msg := checkAddress(ep.Address); msg != "" {
			errs = append(errs, field.Invalid(p.Index(i).Child("address"), ep.Address, msg))
		}
	}
	return errs
}

// checkAddress returns why addr is not "IP:port" or "hostname:port", or "".
func checkAddress(addr string) string {
	const form = `must be "IP:port" or "hostname:port" (an IPv6 address in brackets)`
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return form
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return "port must be a number from 1 to 65535"
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return "an IPv6 zone is not allowed"
		}
		if ip.IsUnspecified() {
			return "an unspecified address (" + host + ") cannot be connected to"
		}
		return ""
	}
	if strings.Contains(host, ":") {
		return form
	}
	if msgs := validation.IsDNS1123Subdomain(host); len(msgs) > 0 {
		return "host must be an IP address or a DNS name: " + strings.Join(msgs, "; ")
	}
	labels := strings.Split(host, ".")
	if _, err := strconv.Atoi(labels[len(labels)-1]); err == nil {
		return "host is neither a valid IP address nor a DNS name (a top-level domain is never numeric)"
	}
	return ""
}
