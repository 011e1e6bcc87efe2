package gatewayapi

import (
	"fmt"
	"strings"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// caKey is the key of a ConfigMap (or Secret) that holds a CA bundle, as
// the spec names it.
const caKey = "ca.crt"

// frontendValidation is the Gateway's client certificate validation for
// the listener's port: the perPort entry for it, else the default; nil
// when the Gateway asks for none. field is its path, for messages.
func (l *listenerState) frontendValidation() (v *gwapiv1.FrontendTLSValidation, field, scope string) {
	tls := l.gw.obj.Spec.TLS
	if tls == nil || tls.Frontend == nil {
		return nil, "", ""
	}
	for i, pp := range tls.Frontend.PerPort {
		if int32(pp.Port) == l.port() {
			return pp.TLS.Validation, fmt.Sprintf("spec.tls.frontend.perPort[%d].tls.validation", i), fmt.Sprintf("port-%d", pp.Port)
		}
	}
	return tls.Frontend.Default.Validation, "spec.tls.frontend.default.validation", "default"
}

// resolveClientValidation applies spec.tls.frontend to an HTTPS listener
// (GatewayFrontendClientCertificateValidation): its caCertificateRefs
// become one CA bundle the listener's chain verifies clients against. An
// invalid ref makes ResolvedRefs False with the spec's reason; when none
// is valid the listener is not accepted (NoValidCACertificate), since
// serving it without the validation asked for would let any client in.
func (t *translator) resolveClientValidation(l *listenerState) {
	if l.spec.Protocol != gwapiv1.HTTPSProtocolType || !l.terminates() {
		return
	}
	v, field, scope := l.frontendValidation()
	if v == nil {
		return
	}
	var bundle []string
	for i, ref := range v.CACertificateRefs {
		pemText, err := t.resolveClientCA(l.gw.obj, ref, fmt.Sprintf("%s.caCertificateRefs[%d]", field, i))
		if err != nil {
			l.certFailure(err.reason, "%s", err.msg)
			continue
		}
		bundle = append(bundle, pemText)
	}
	if len(bundle) == 0 {
		l.refuse(gwapiv1.ListenerReasonNoValidCACertificate, "%s.caCertificateRefs: no reference resolves to a CA certificate", field)
		return
	}
	g := l.gw.obj
	name := fmt.Sprintf("cacert/%s/%s/%s", g.Namespace, g.Name, scope)
	t.secrets[name] = &ir.Secret{Name: name, TrustedCA: []byte(strings.Join(bundle, ""))}
	l.clientCA = &ir.ClientValidation{TrustedCA: name, Optional: v.Mode == gwapiv1.AllowInsecureFallback}
}

// resolveClientCA returns the PEM certificates of one caCertificateRef:
// key ca.crt of a ConfigMap (Core) or of a Secret (implementation-specific).
func (t *translator) resolveClientCA(gw *gwapiv1.Gateway, ref gwapiv1.ObjectReference, field string) (string, *listenerRefError) {
	fail := func(reason gwapiv1.ListenerConditionReason, format string, args ...any) (string, *listenerRefError) {
		return "", &listenerRefError{reason: reason, msg: fmt.Sprintf(format, args...)}
	}
	kind := string(ref.Kind)
	if ref.Group != "" || (kind != resource.KindConfigMap && kind != resource.KindSecret) {
		return fail(gwapiv1.ListenerReasonInvalidCACertificateKind, "%s: kind %q in group %q is not supported; supported: ConfigMap, Secret",
			field, ref.Kind, ref.Group)
	}
	target := nsName{Namespace: gw.Namespace, Name: string(ref.Name)}
	if ref.Namespace != nil && *ref.Namespace != "" {
		target.Namespace = string(*ref.Namespace)
	}
	if target.Namespace != gw.Namespace && !t.grantAllows(kindGateway, gw.Namespace, target.Namespace, "", kind, target.Name) {
		return fail(gwapiv1.ListenerReasonRefNotPermitted, "%s: no ReferenceGrant in namespace %q allows Gateways in %q to refer to %s %s",
			field, target.Namespace, gw.Namespace, kind, target)
	}
	var data string
	found := false
	switch kind {
	case resource.KindConfigMap:
		if cm := t.btls.configMaps[target]; cm != nil {
			data, found = cm.Data[caKey]
		} else {
			return fail(gwapiv1.ListenerReasonInvalidCACertificateRef, "%s: ConfigMap %s not found", field, target)
		}
	case resource.KindSecret:
		s := t.idx.secrets[target]
		if s == nil {
			return fail(gwapiv1.ListenerReasonInvalidCACertificateRef, "%s: Secret %s not found", field, target)
		}
		var b []byte
		b, found = resource.SecretValue(s, caKey)
		data = string(b)
	}
	if !found {
		return fail(gwapiv1.ListenerReasonInvalidCACertificateRef, "%s: %s %s has no key %s", field, kind, target, caKey)
	}
	pemText, err := certificatesPEM(data)
	if err != nil {
		return fail(gwapiv1.ListenerReasonInvalidCACertificateRef, "%s: %s %s key %s: %v", field, kind, target, caKey, err)
	}
	return pemText, nil
}

// insecureFrontend is the Gateway's InsecureFrontendValidationMode
// condition: present, True, while the default or a perPort validation
// allows clients without a valid certificate; absent otherwise.
func insecureFrontend(g *gwapiv1.Gateway) []cond {
	tls := g.Spec.TLS
	if tls == nil || tls.Frontend == nil {
		return nil
	}
	var where []string
	if v := tls.Frontend.Default.Validation; v != nil && v.Mode == gwapiv1.AllowInsecureFallback {
		where = append(where, "spec.tls.frontend.default")
	}
	for i, pp := range tls.Frontend.PerPort {
		if v := pp.TLS.Validation; v != nil && v.Mode == gwapiv1.AllowInsecureFallback {
			where = append(where, fmt.Sprintf("spec.tls.frontend.perPort[%d] (port %d)", i, pp.Port))
		}
	}
	if len(where) == 0 {
		return nil
	}
	return []cond{condTrue(string(gwapiv1.GatewayConditionInsecureFrontendValidationMode), string(gwapiv1.GatewayReasonConfigurationChanged),
		"AllowInsecureFallback accepts clients without a valid certificate: "+strings.Join(where, ", "))}
}
