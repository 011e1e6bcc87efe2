package gatewayapi

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// tlsPolicy is one BackendTLSPolicy as the translator sees it.
type tlsPolicy struct {
	obj *gwapiv1.BackendTLSPolicy // deep copy whose status is filled in
	// tls is nil when the policy has no usable CA: its backends then get
	// no endpoints, so requests fail with a 5xx as the spec demands
	// instead of reaching the backend unverified.
	tls      *ir.UpstreamTLS
	accepted cond
	resolved cond
	// gateways are the ancestors: our Gateways whose routes use a
	// Service the policy selects (whether or not it won the Service).
	gateways map[nsName]bool
	selects  []tlsTarget
}

// tlsTarget is a Service, or one named port of it.
type tlsTarget struct {
	svc     nsName
	section string
}

// backendTLS holds the BackendTLSPolicies that took effect, by target.
type backendTLS struct {
	all     []*tlsPolicy
	targets map[tlsTarget]*tlsPolicy
	// used are the policies each route's backends picked up.
	used map[metav1.Object][]*tlsPolicy
	// configMaps are every ConfigMap, for CA bundles.
	configMaps map[nsName]*corev1.ConfigMap
}

// newBackendTLS compiles the policies, oldest first, so that when two
// select the same target the older takes it and the newer is Conflicted.
// A policy that loses any target takes none, so that it is either wholly
// in effect or wholly not, as its one Accepted condition says.
func newBackendTLS(res *resource.Resources) *backendTLS {
	b := &backendTLS{targets: map[tlsTarget]*tlsPolicy{}, used: map[metav1.Object][]*tlsPolicy{}}
	policies := make([]*gwapiv1.BackendTLSPolicy, len(res.BackendTLSPolicies))
	for i, p := range res.BackendTLSPolicies {
		policies[i] = p.DeepCopy()
	}
	slices.SortFunc(policies, func(a, b *gwapiv1.BackendTLSPolicy) int { return olderFirst(a, b) })
	configMaps := map[nsName]*corev1.ConfigMap{}
	for _, cm := range res.ConfigMaps {
		configMaps[keyOf(cm)] = cm
	}
	b.configMaps = configMaps
	for _, obj := range policies {
		p := compileTLSPolicy(obj, configMaps)
		b.all = append(b.all, p)
		targets := policyTargets(obj)
		p.selects = targets
		if owner := b.firstOwner(targets); owner != nil {
			p.accepted = condFalse(string(gwapiv1.PolicyConditionAccepted), string(gwapiv1.PolicyReasonConflicted),
				fmt.Sprintf("BackendTLSPolicy %s/%s, which is older or first by name, selects the same target", owner.obj.Namespace, owner.obj.Name))
			continue
		}
		for _, tg := range targets {
			b.targets[tg] = p
		}
	}
	return b
}

func (b *backendTLS) firstOwner(targets []tlsTarget) *tlsPolicy {
	for _, tg := range targets {
		if p := b.targets[tg]; p != nil {
			return p
		}
	}
	return nil
}

// policyTargets are the Services a policy selects; other kinds are not
// supported and select nothing.
func policyTargets(p *gwapiv1.BackendTLSPolicy) []tlsTarget {
	var out []tlsTarget
	for _, r := range p.Spec.TargetRefs {
		if r.Group == "" && r.Kind == resource.KindService {
			out = append(out, tlsTarget{svc: nsName{Namespace: p.Namespace, Name: string(r.Name)}, section: string(deref(r.SectionName))})
		}
	}
	return out
}

// lookup returns the policy for a Service port: one naming the port wins
// over one for the whole Service.
func (b *backendTLS) lookup(svc nsName, portName string) *tlsPolicy {
	if portName != "" {
		if p := b.targets[tlsTarget{svc: svc, section: portName}]; p != nil {
			return p
		}
	}
	return b.targets[tlsTarget{svc: svc}]
}

func compileTLSPolicy(obj *gwapiv1.BackendTLSPolicy, configMaps map[nsName]*corev1.ConfigMap) *tlsPolicy {
	v := obj.Spec.Validation
	p := &tlsPolicy{obj: obj, gateways: map[nsName]bool{}}
	p.accepted = condTrue(string(gwapiv1.PolicyConditionAccepted), string(gwapiv1.PolicyReasonAccepted), "Policy is accepted")
	p.resolved = condTrue(string(gwapiv1.BackendTLSPolicyConditionResolvedRefs), string(gwapiv1.BackendTLSPolicyReasonResolvedRefs), "All references are resolved")
	tls := &ir.UpstreamTLS{SNI: string(v.Hostname), SubjectAltNames: subjectAltNames(v)}
	switch {
	case len(v.CACertificateRefs) > 0:
		bundle, failure := caBundle(obj.Namespace, v.CACertificateRefs, configMaps)
		if failure != nil {
			p.resolved = *failure
		}
		if bundle == "" {
			p.accepted = condFalse(string(gwapiv1.PolicyConditionAccepted), string(gwapiv1.BackendTLSPolicyReasonNoValidCACertificate),
				"spec.validation.caCertificateRefs: no reference resolves to a CA certificate")
			return p
		}
		tls.CACertificate = bundle
	case v.WellKnownCACertificates != nil && *v.WellKnownCACertificates == gwapiv1.WellKnownCACertificatesSystem:
		tls.SystemCA = true
	default:
		p.accepted = condFalse(string(gwapiv1.PolicyConditionAccepted), string(gwapiv1.PolicyReasonInvalid),
			fmt.Sprintf("spec.validation.wellKnownCACertificates: %q is not supported; supported: System", deref(v.WellKnownCACertificates)))
		return p
	}
	p.tls = tls
	return p
}

// subjectAltNames are the names the backend's certificate must carry:
// the listed ones, or else the hostname, as the spec says.
func subjectAltNames(v gwapiv1.BackendTLSPolicyValidation) []ir.SubjectAltName {
	if len(v.SubjectAltNames) == 0 {
		return []ir.SubjectAltName{{Hostname: string(v.Hostname)}}
	}
	out := make([]ir.SubjectAltName, 0, len(v.SubjectAltNames))
	for _, s := range v.SubjectAltNames {
		switch s.Type {
		case gwapiv1.HostnameSubjectAltNameType:
			out = append(out, ir.SubjectAltName{Hostname: string(s.Hostname)})
		case gwapiv1.URISubjectAltNameType:
			out = append(out, ir.SubjectAltName{URI: string(s.URI)})
		}
	}
	return out
}

// caBundle joins the certificates of the valid refs; failure reports the
// first invalid one (ResolvedRefs=False).
func caBundle(ns string, refs []gwapiv1.LocalObjectReference, configMaps map[nsName]*corev1.ConfigMap) (string, *cond) {
	var bundle []string
	var failure *cond
	fail := func(reason gwapiv1.PolicyConditionReason, format string, args ...any) {
		if failure == nil {
			failure = new(condFalse(string(gwapiv1.BackendTLSPolicyConditionResolvedRefs), string(reason), fmt.Sprintf(format, args...)))
		}
	}
	for i, r := range refs {
		field := fmt.Sprintf("spec.validation.caCertificateRefs[%d]", i)
		if r.Group != "" || r.Kind != resource.KindConfigMap {
			fail(gwapiv1.BackendTLSPolicyReasonInvalidKind, "%s: kind %q in group %q is not supported; supported: ConfigMap", field, r.Kind, r.Group)
			continue
		}
		cm := configMaps[nsName{Namespace: ns, Name: string(r.Name)}]
		if cm == nil {
			fail(gwapiv1.BackendTLSPolicyReasonInvalidCACertificateRef, "%s: ConfigMap %s/%s not found", field, ns, r.Name)
			continue
		}
		pemText, err := certificatesPEM(cm.Data["ca.crt"])
		if err != nil {
			fail(gwapiv1.BackendTLSPolicyReasonInvalidCACertificateRef, "%s: ConfigMap %s/%s key ca.crt: %v", field, ns, r.Name, err)
			continue
		}
		bundle = append(bundle, pemText)
	}
	return strings.Join(bundle, ""), failure
}

// certificatesPEM checks that data is one or more PEM certificates that
// parse, so that a typo fails here, with a message, rather than in every
// proxy's handshake.
func certificatesPEM(data string) (string, error) {
	rest := []byte(data)
	var out []byte
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return "", fmt.Errorf("PEM block %q is not a CERTIFICATE", block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return "", fmt.Errorf("certificate does not parse: %v", err)
		}
		out = append(out, pem.EncodeToMemory(block)...)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("no PEM certificate")
	}
	return string(out), nil
}

// tlsPolicyFor returns the policy for a Service port reached by route, and
// notes the use so that the route's Gateways become the policy's
// ancestors. Only HTTP and gRPC traffic is re-encrypted: the spec's
// Extended support covers TLSRoute with termination, which is not done.
func (t *translator) tlsPolicyFor(route metav1.Object, routeKind gwapiv1.Kind, svc nsName, portName string) *tlsPolicy {
	if routeKind != kindHTTPRoute && routeKind != kindGRPCRoute {
		return nil
	}
	for _, p := range t.btls.all {
		if p.selectsPort(svc, portName) && !slices.Contains(t.btls.used[route], p) {
			t.btls.used[route] = append(t.btls.used[route], p)
		}
	}
	return t.btls.lookup(svc, portName)
}

func (p *tlsPolicy) selectsPort(svc nsName, portName string) bool {
	return slices.ContainsFunc(p.selects, func(tg tlsTarget) bool {
		return tg.svc == svc && (tg.section == "" || tg.section == portName)
	})
}

// backendTLSStatus fills in each policy's ancestors: one entry per Gateway
// of ours whose routes use the policy, keeping other controllers'
// entries. Policies no Gateway of ours uses are left out of the Result
// unless they carry stale entries of ours.
func (t *translator) backendTLSStatus() []*gwapiv1.BackendTLSPolicy {
	if len(t.btls.all) == 0 {
		return nil
	}
	for _, rs := range t.routes {
		for _, p := range t.btls.used[rs.obj] {
			for _, parent := range rs.parents {
				if parent.gw != nil {
					p.gateways[keyOf(parent.gw.obj)] = true
				}
			}
		}
	}
	var out []*gwapiv1.BackendTLSPolicy
	for _, p := range t.btls.all {
		if t.writePolicyStatus(p) {
			out = append(out, p.obj)
		}
	}
	slices.SortFunc(out, func(a, b *gwapiv1.BackendTLSPolicy) int { return compareKeys(keyOf(a), keyOf(b)) })
	return out
}

func (t *translator) writePolicyStatus(p *tlsPolicy) bool {
	var kept []gwapiv1.PolicyAncestorStatus
	old := map[nsName][]metav1.Condition{}
	stale := false
	for _, a := range p.obj.Status.Ancestors {
		if a.ControllerName != t.opts.ControllerName {
			kept = append(kept, a)
			continue
		}
		stale = true
		old[nsName{Namespace: string(deref(a.AncestorRef.Namespace)), Name: string(a.AncestorRef.Name)}] = a.Conditions
	}
	gws := make([]nsName, 0, len(p.gateways))
	for g := range p.gateways {
		gws = append(gws, g)
	}
	slices.SortFunc(gws, compareKeys)
	for _, g := range gws {
		kept = append(kept, gwapiv1.PolicyAncestorStatus{
			AncestorRef: gwapiv1.ParentReference{
				Group: new(gwapiv1.Group(gwapiv1.GroupName)), Kind: new(kindGateway),
				Namespace: new(gwapiv1.Namespace(g.Namespace)), Name: gwapiv1.ObjectName(g.Name),
			},
			ControllerName: t.opts.ControllerName,
			Conditions:     t.stamp(p.obj.Generation, old[g], []cond{p.accepted, p.resolved}),
		})
	}
	p.obj.Status.Ancestors = kept
	return len(gws) > 0 || stale
}
