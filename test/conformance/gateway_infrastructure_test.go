package conformance_test

import (
	"maps"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/provisioner"
)

func init() {
	harness = append(harness, struct {
		name string
		run  func(*testing.T)
	}{"GatewayInfrastructure", gatewayInfrastructure})
}

// gatewayInfrastructure covers spec.infrastructure. Upstream looks for
// the labels and annotations on Kubernetes objects (ServiceAccounts, Pods,
// Services) created for the Gateway; here the fleet's module creates the
// infrastructure, so the check is that they reach its "infrastructure"
// input, which every module applies (modules/README.md) and the
// provisioner's lifecycle test follows to the local module's proxies.
func gatewayInfrastructure(t *testing.T) {
	t.Run("GatewayInvalidParametersRef", func(t *testing.T) {
		record(t, "GatewayInvalidParametersRef", ranWhole)
		ct := upstream(t, "GatewayInvalidParametersRef")
		ct.Test(t, newSuite(t, ct))
	})
	t.Run("GatewayInfrastructureMetadata", func(t *testing.T) {
		const name = "GatewayInfrastructureMetadata"
		record(t, name, ranStatus)
		s := newSuite(t, upstream(t, name))
		gwNN := nn(infra, "gateway-with-infrastructure-metadata")
		kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
		kubernetes.GatewayMustHaveLatestConditions(t, s.Client, s.TimeoutConfig, gwNN)
		kubernetes.GatewayMustHaveCondition(t, s.Client, s.TimeoutConfig, gwNN, metav1.Condition{
			Type: string(gwapiv1.GatewayConditionAccepted), Status: metav1.ConditionTrue,
		})
		c := s.Client.(*cluster)
		c.mu.Lock()
		out := gatewayapi.Translate(c.res, c.opts)
		c.mu.Unlock()
		var gw *gwapiv1.Gateway
		for _, g := range out.Gateways {
			if g.Namespace == gwNN.Namespace && g.Name == gwNN.Name {
				gw = g
			}
		}
		if gw == nil || out.Infra[string(gw.Spec.GatewayClassName)] == nil {
			t.Fatalf("no fleet for Gateway %s", gwNN)
		}
		m := provisioner.FleetMetadata(out.Infra[string(gw.Spec.GatewayClassName)])
		if m == nil {
			t.Fatal("the fleet's module gets no infrastructure input")
		}
		for k, v := range maps.All(gw.Spec.Infrastructure.Labels) {
			if m.Labels[string(k)] != string(v) {
				t.Errorf("label %s=%s does not reach the module (labels %v)", k, v, m.Labels)
			}
		}
		for k, v := range maps.All(gw.Spec.Infrastructure.Annotations) {
			if m.Annotations[string(k)] != string(v) {
				t.Errorf("annotation %s=%s does not reach the module (annotations %v)", k, v, m.Annotations)
			}
		}
	})
}
