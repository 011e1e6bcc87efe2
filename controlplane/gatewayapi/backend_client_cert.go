package gatewayapi

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

const clientCertField = "spec.tls.backend.clientCertificateRef"

// backendClientCert resolves the Gateway's spec.tls.backend
// (GatewayBackendClientCertificate): the IR secret its proxies present to
// TLS backends, and the Gateway's ResolvedRefs condition. ok is false
// when the Gateway names no client certificate; name is empty when the
// ref is invalid, and then the proxies present none. It is idempotent, so
// that status and IR can each ask.
func (t *translator) backendClientCert(g *gwapiv1.Gateway) (name string, c cond, ok bool) {
	if g.Spec.TLS == nil || g.Spec.TLS.Backend == nil || g.Spec.TLS.Backend.ClientCertificateRef == nil {
		return "", cond{}, false
	}
	const resolved = string(gwapiv1.GatewayConditionResolvedRefs)
	ref := g.Spec.TLS.Backend.ClientCertificateRef
	invalid := func(format string, args ...any) (string, cond, bool) {
		return "", condFalse(resolved, string(gwapiv1.GatewayReasonInvalidClientCertificateRef), fmt.Sprintf(format, args...)), true
	}
	group, kind := string(deref(ref.Group)), string(deref(ref.Kind))
	if kind == "" {
		kind = resource.KindSecret
	}
	if group != "" || kind != resource.KindSecret {
		return invalid("%s: kind %q in group %q is not supported; supported: Secret", clientCertField, kind, group)
	}
	target := nsName{Namespace: g.Namespace, Name: string(ref.Name)}
	if ref.Namespace != nil && *ref.Namespace != "" {
		target.Namespace = string(*ref.Namespace)
	}
	if target.Namespace != g.Namespace && !t.grantAllows(kindGateway, g.Namespace, target.Namespace, "", resource.KindSecret, target.Name) {
		return "", condFalse(resolved, string(gwapiv1.GatewayReasonRefNotPermitted), fmt.Sprintf(
			"%s: no ReferenceGrant in namespace %q allows Gateways in %q to refer to Secret %s", clientCertField, target.Namespace, g.Namespace, target)), true
	}
	s := t.idx.secrets[target]
	if s == nil {
		return invalid("%s: Secret %s not found", clientCertField, target)
	}
	name, err := t.keyPairSecret(s)
	if err != nil {
		return invalid("%s: Secret %s: %v", clientCertField, target, err)
	}
	return name, condTrue(resolved, string(gwapiv1.GatewayReasonResolvedRefs), "All references are resolved"), true
}

// keyPairSecret registers s's tls.crt and tls.key as an IR secret, named
// as listener certificates are, so that one Secret is one SDS resource.
// The error describes the problem without quoting the key.
func (t *translator) keyPairSecret(s *corev1.Secret) (string, error) {
	name := "secret/" + keyOf(s).String()
	if _, ok := t.secrets[name]; ok {
		return name, nil
	}
	cert, _ := resource.SecretValue(s, corev1.TLSCertKey)
	key, _ := resource.SecretValue(s, corev1.TLSPrivateKeyKey)
	if len(cert) == 0 || len(key) == 0 {
		return "", fmt.Errorf("needs keys %s and %s", corev1.TLSCertKey, corev1.TLSPrivateKeyKey)
	}
	if _, err := tls.X509KeyPair(cert, key); err != nil {
		return "", fmt.Errorf("does not hold a usable certificate and key: %v", err)
	}
	t.secrets[name] = &ir.Secret{Name: name, Certificate: cert, PrivateKey: key}
	return name, nil
}

// gatewayTLSConditions are the Gateway conditions of spec.tls:
// ResolvedRefs for the backend client certificate (only for a Gateway that
// names one: no other Gateway-level reference exists), which also sums up
// the listeners' ResolvedRefs as the spec asks, and
// InsecureFrontendValidationMode.
func (t *translator) gatewayTLSConditions(gs *gatewayState) []cond {
	var out []cond
	if _, c, ok := t.backendClientCert(gs.obj); ok {
		if c.Status == metav1.ConditionTrue {
			var unresolved []string
			for _, l := range gs.listeners {
				if l.certErr != nil && l.set == nil {
					unresolved = append(unresolved, string(l.name()))
				}
			}
			if len(unresolved) > 0 {
				c = condFalse(c.Type, string(gwapiv1.GatewayReasonListenersNotResolved), "Listeners with unresolved references: "+strings.Join(unresolved, ", "))
			}
		}
		out = append(out, c)
	}
	return append(out, insecureFrontend(gs.obj)...)
}

// gatewayTLSConditionTypes are the condition types gatewayTLSConditions
// manages: a Gateway that stops asking loses them.
var gatewayTLSConditionTypes = []string{
	string(gwapiv1.GatewayConditionResolvedRefs),
	string(gwapiv1.GatewayConditionInsecureFrontendValidationMode),
}

// finishTLS completes a fleet's IR with what Gateways' spec.tls adds
// (called once its listeners, clusters and secrets are built): clusters
// that present a Gateway's client certificate, for the routes served on
// that Gateway's listeners, and the secrets the chains' client validation
// and those clusters fetch.
func (t *translator) finishTLS(cs *classState, x *ir.Xds) {
	certs := map[*gatewayState]string{}
	for _, gs := range cs.gateways {
		if name, _, ok := t.backendClientCert(gs.obj); ok && name != "" {
			certs[gs] = name
		}
	}
	if len(certs) > 0 {
		byPort := map[uint32][]*listenerState{}
		for _, gs := range cs.gateways {
			for _, l := range gs.listeners {
				if l.programmed() {
					byPort[uint32(l.port())] = append(byPort[uint32(l.port())], l)
				}
			}
		}
		for _, lis := range x.Listeners {
			// Written into, and a patched translation's list of an HTTP
			// port's virtual hosts is the Cache's, which must hold them
			// without the certificate (cache_vhost_patch.go): a copy.
			lis.VirtualHosts = slices.Clone(lis.VirtualHosts)
			for _, o := range vhostOwners(lis, byPort[lis.Port]) {
				if cert := certs[o.owner.gw]; cert != "" {
					*o.slot = t.presentClientCert(*o.slot, cert)
				}
			}
		}
		// Keyed apart: these virtual hosts are new ones.
		x.Clusters, x.Secrets = t.usedBy(x.Fleet+"\x00client-certificates", x.Listeners)
	}
	x.Secrets = t.withTLSSecrets(x)
}

// ownedVHost is where a virtual host sits in the IR and the listener
// whose routes it serves.
type ownedVHost struct {
	slot  **ir.VirtualHost
	owner *listenerState
}

// vhostOwners pairs the HTTP virtual hosts of lis with their listener:
// on an HTTP port the most specific listener covering the hostname (as
// virtualHosts builds them), on a TLS port the HTTPS listener whose chain
// holds them (as filterChains builds them).
func vhostOwners(lis *ir.Listener, ls []*listenerState) []ownedVHost {
	var out []ownedVHost
	for i, vh := range lis.VirtualHosts {
		if o := ownerOf(vh.Hostname, ls); o != nil {
			out = append(out, ownedVHost{&lis.VirtualHosts[i], o})
		}
	}
	https := slices.DeleteFunc(slices.Clone(ls), func(l *listenerState) bool { return l.spec.Protocol != gwapiv1.HTTPSProtocolType })
	slices.SortStableFunc(https, func(a, b *listenerState) int { return cmp.Compare(a.hostname, b.hostname) })
	for _, fc := range lis.FilterChains {
		if fc.HTTP == nil {
			continue
		}
		i := slices.IndexFunc(https, func(l *listenerState) bool { return chainName(lis.Name, l.hostname) == fc.Name })
		if i < 0 {
			continue
		}
		for j := range fc.HTTP.VirtualHosts {
			out = append(out, ownedVHost{&fc.HTTP.VirtualHosts[j], https[i]})
		}
	}
	return out
}

// presentClientCert returns vh with its routes' TLS backends pointed at
// clusters that present cert. What it changes is copied, not edited:
// rules share their actions among virtual hosts and Gateways.
func (t *translator) presentClientCert(vh *ir.VirtualHost, cert string) *ir.VirtualHost {
	out := *vh
	out.Routes = make([]*ir.Route, len(vh.Routes))
	for i, r := range vh.Routes {
		out.Routes[i] = t.routeWithClientCert(r, cert)
	}
	return &out
}

func (t *translator) routeWithClientCert(r *ir.Route, cert string) *ir.Route {
	if r.Action.Forward == nil {
		return r
	}
	out := *r
	f := *r.Action.Forward
	f.Backends = slices.Clone(f.Backends)
	for i := range f.Backends {
		f.Backends[i].Cluster = t.clientCertCluster(f.Backends[i].Cluster, cert)
	}
	f.Mirrors = slices.Clone(f.Mirrors)
	for i := range f.Mirrors {
		f.Mirrors[i].Cluster = t.clientCertCluster(f.Mirrors[i].Cluster, cert)
	}
	out.Action.Forward = &f
	return &out
}

// clientCertCluster is the variant of a TLS cluster that presents cert;
// other clusters are returned as they are.
func (t *translator) clientCertCluster(name, cert string) string {
	c := t.clusters[name]
	if c == nil || c.TLS == nil {
		return name
	}
	variant := name + "/client/" + cert
	if _, ok := t.clusters[variant]; !ok {
		v, tlsCopy := *c, *c.TLS
		tlsCopy.ClientCertificate = cert
		v.Name, v.TLS = variant, &tlsCopy
		t.clusters[variant] = &v
	}
	return variant
}

// withTLSSecrets adds to x.Secrets the CA bundles the chains verify
// clients with and the client certificates the clusters present.
func (t *translator) withTLSSecrets(x *ir.Xds) []*ir.Secret {
	names := map[string]bool{}
	for _, s := range x.Secrets {
		names[s.Name] = true
	}
	for _, l := range x.Listeners {
		for _, fc := range l.FilterChains {
			if fc.Terminate != nil && fc.Terminate.ClientValidation != nil {
				names[fc.Terminate.ClientValidation.TrustedCA] = true
			}
		}
	}
	for _, c := range x.Clusters {
		if c.TLS != nil && c.TLS.ClientCertificate != "" {
			names[c.TLS.ClientCertificate] = true
		}
	}
	if len(names) == len(x.Secrets) {
		return x.Secrets
	}
	out := make([]*ir.Secret, 0, len(names))
	for _, n := range slices.Sorted(maps.Keys(names)) {
		out = append(out, t.secrets[n])
	}
	return out
}
