package apiclient_test

import (
	"net/http"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

const fleet = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: team-a}
spec:
  gatewayClassName: eg
  listeners: [{name: http, port: 8080, protocol: HTTP}]
`

func TestApply(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c := newClient(t, s)
	res, err := c.Apply(t.Context(), []byte(fleet+"---\n"+routeYAML("r", "/a")), apiclient.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(res); got != "GatewayClass eg created, Gateway gw created, HTTPRoute r created" {
		t.Fatalf("apply: %s", got)
	}
	res, err = c.Apply(t.Context(), []byte(fleet+"---\n"+routeYAML("r", "/b")), apiclient.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(res); got != "GatewayClass eg unchanged, Gateway gw unchanged, HTTPRoute r configured" {
		t.Fatalf("re-apply: %s", got)
	}
}

func TestApplyRejected(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{})
	c := newClient(t, s)
	res, err := c.Apply(t.Context(), []byte(fleet+"---\n"+routeYAML("r", "no-slash")), apiclient.WriteOptions{})
	if !apierrors.IsInvalid(err) {
		t.Fatalf("got %v, want 422", err)
	}
	if res == nil {
		t.Fatal("no per-object report with the error")
	}
	if got := actions(res); got != "GatewayClass eg skipped, Gateway gw skipped, HTTPRoute r rejected" {
		t.Fatalf("report: %s", got)
	}
	st := res.Items[2].Status
	if st == nil || st.Code != http.StatusUnprocessableEntity || !strings.HasPrefix(st.Details.Causes[0].Field, "spec.rules[0].matches[0].path") {
		t.Fatalf("route's Status: %+v", st)
	}
	// The error alone says which object and which field.
	msg := err.Error()
	for _, want := range []string{"1 of 3 objects were rejected; nothing was applied", "document 2 (HTTPRoute team-a/r)", "spec.rules[0].matches[0].path"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if _, err := c.Get(t.Context(), gatewayClass, "", "eg"); !apierrors.IsNotFound(err) {
		t.Fatalf("a rejected apply stored the GatewayClass: %v", err)
	}

	// Input that is not YAML has no report, only a 400.
	res, err = c.Apply(t.Context(), []byte("kind: ["), apiclient.WriteOptions{})
	if res != nil || !apierrors.IsBadRequest(err) {
		t.Fatalf("unreadable input: %v %v", res, err)
	}
}

func TestDryRunComputesStatus(t *testing.T) {
	s := apiclienttest.Start(t, apiclienttest.Options{Translator: true})
	c := newClient(t, s)
	if _, err := c.Apply(t.Context(), []byte(fleet), apiclient.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.DryRun(t.Context(), obj(t, routeYAML("r", "/a")))
	if err != nil {
		t.Fatal(err)
	}
	parents, _, _ := unstructuredSlice(res.Object.Object, "status", "parents")
	if len(parents) != 1 || !hasCondition(parents[0], "Accepted", "True") {
		t.Fatalf("dry-run status: %v", res.Object.Object["status"])
	}
	if _, err := c.Get(t.Context(), httpRoute, "team-a", "r"); !apierrors.IsNotFound(err) {
		t.Fatalf("dry-run stored the route: %v", err)
	}
}

func actions(res *apiclient.ApplyResult) string {
	var s []string
	for _, it := range res.Items {
		s = append(s, it.Kind+" "+it.Name+" "+it.Action)
	}
	return strings.Join(s, ", ")
}
