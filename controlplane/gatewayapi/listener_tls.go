package gatewayapi

import (
	"crypto/tls"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// tlsMode is how a listener on a TLS port treats connections.
func (l *listenerState) tlsMode() gwapiv1.TLSModeType {
	if l.spec.TLS == nil || l.spec.TLS.Mode == nil {
		return gwapiv1.TLSModeTerminate
	}
	return *l.spec.TLS.Mode
}

// terminates: the proxy needs certificates for this listener.
func (l *listenerState) terminates() bool {
	p := l.spec.Protocol
	return (p == gwapiv1.HTTPSProtocolType || p == gwapiv1.TLSProtocolType) && l.tlsMode() == gwapiv1.TLSModeTerminate
}

// resolveTLS checks the listener's tls block and resolves its
// certificateRefs. Invalid refs are reported (ResolvedRefs False) and
// skipped; a terminating listener left with no certificate is not
// programmed. Messages name refs and fields, never Secret data.
func (t *translator) resolveTLS(l *listenerState) {
	p := l.spec.Protocol
	if p != gwapiv1.HTTPSProtocolType && p != gwapiv1.TLSProtocolType {
		return
	}
	if p == gwapiv1.HTTPSProtocolType && l.tlsMode() != gwapiv1.TLSModeTerminate {
		l.refuse(gwapiv1.ListenerReasonUnsupportedValue, "%s: an HTTPS listener must terminate TLS", l.field(".tls.mode"))
		return
	}
	if !l.terminates() {
		return
	}
	if l.spec.TLS == nil || len(l.spec.TLS.CertificateRefs) == 0 {
		l.certFailure(gwapiv1.ListenerReasonInvalidCertificateRef, "%s: a listener that terminates TLS needs a certificate", l.field(".tls.certificateRefs"))
		return
	}
	for i, ref := range l.spec.TLS.CertificateRefs {
		name, err := t.resolveCertificate(l, ref, l.field(fmt.Sprintf(".tls.certificateRefs[%d]", i)))
		if err != nil {
			l.certFailure(err.reason, "%s", err.msg)
			continue
		}
		if !contains(l.certs, name) {
			l.certs = append(l.certs, name)
		}
	}
	t.resolveClientValidation(l)
}

type listenerRefError struct {
	reason gwapiv1.ListenerConditionReason
	msg    string
}

func (t *translator) resolveCertificate(l *listenerState, ref gwapiv1.SecretObjectReference, field string) (string, *listenerRefError) {
	fail := func(reason gwapiv1.ListenerConditionReason, format string, args ...any) (string, *listenerRefError) {
		return "", &listenerRefError{reason: reason, msg: fmt.Sprintf(format, args...)}
	}
	group, kind := string(deref(ref.Group)), string(deref(ref.Kind))
	if kind == "" {
		kind = resource.KindSecret
	}
	if group != "" || kind != resource.KindSecret {
		return fail(gwapiv1.ListenerReasonInvalidCertificateRef, "%s: kind %q in group %q is not supported; supported: Secret", field, kind, group)
	}
	// A ListenerSet's listeners need grants of their own: the Gateway's
	// are not inherited.
	ns, owner := l.namespace(), l.ownerKind()
	target := nsName{Namespace: ns, Name: string(ref.Name)}
	if ref.Namespace != nil && *ref.Namespace != "" {
		target.Namespace = string(*ref.Namespace)
	}
	if target.Namespace != ns && !t.grantAllows(owner, ns, target.Namespace, "", resource.KindSecret, target.Name) {
		return fail(gwapiv1.ListenerReasonRefNotPermitted, "%s: no ReferenceGrant in namespace %q allows %ss in %q to refer to Secret %s",
			field, target.Namespace, owner, ns, target)
	}
	s := t.idx.secrets[target]
	if s == nil {
		return fail(gwapiv1.ListenerReasonInvalidCertificateRef, "%s: Secret %s not found", field, target)
	}
	if s.Type != corev1.SecretTypeTLS {
		return fail(gwapiv1.ListenerReasonInvalidCertificateRef, "%s: Secret %s has type %q, want %q", field, target, s.Type, corev1.SecretTypeTLS)
	}
	name := "secret/" + target.String()
	if _, ok := t.secrets[name]; ok {
		return name, nil
	}
	cert, _ := resource.SecretValue(s, corev1.TLSCertKey)
	key, _ := resource.SecretValue(s, corev1.TLSPrivateKeyKey)
	// X509KeyPair checks both PEM blocks and that they belong together;
	// its errors describe the problem without quoting the key.
	if _, err := tls.X509KeyPair(cert, key); err != nil {
		return fail(gwapiv1.ListenerReasonInvalidCertificateRef, "%s: Secret %s does not hold a usable certificate and key: %v", field, target, err)
	}
	t.secrets[name] = &ir.Secret{Name: name, Certificate: cert, PrivateKey: key}
	return name, nil
}

// certFailure records the first invalid certificate ref.
func (l *listenerState) certFailure(reason gwapiv1.ListenerConditionReason, format string, args ...any) {
	if l.certErr == nil {
		l.certErr = new(condFalse(string(gwapiv1.ListenerConditionResolvedRefs), string(reason), fmt.Sprintf(format, args...)))
	}
}

func (l *listenerState) refuse(reason gwapiv1.ListenerConditionReason, format string, args ...any) {
	if l.refused == nil {
		l.refused = new(condFalse(string(gwapiv1.ListenerConditionAccepted), string(reason), fmt.Sprintf(format, args...)))
	}
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
