package grpcapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
)

const manifests = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: eg
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
---
# a comment-only document is not an object
---
apiVersion: v1
kind: List
items:
- apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata:
    name: gw
  spec:
    gatewayClassName: eg
    listeners:
    - name: http
      port: 8080
      protocol: HTTP
- apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: r
  spec:
    parentRefs: [{name: gw}]
    rules:
    - backendRefs: [{name: svc, port: 8080}]
`

func TestApply(t *testing.T) {
	h := start(t, Options{Token: testToken})
	ctx := authed(t)
	res, err := h.client.Apply(ctx, &configv1.ApplyRequest{Manifests: []byte(manifests)})
	if err != nil {
		t.Fatal(err)
	}
	if got := applySummary(res); got != "0/-1 GatewayClass /eg created; 1/0 Gateway default/gw created; 1/1 HTTPRoute default/r created" {
		t.Fatalf("apply: %s", got)
	}
	for _, it := range res.Items {
		if it.ResourceVersion == "" {
			t.Fatalf("%s has no resourceVersion", it.Name)
		}
	}
	// Again: nothing changed.
	res, err = h.client.Apply(ctx, &configv1.ApplyRequest{Manifests: []byte(manifests)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Action != "unchanged" {
			t.Fatalf("re-apply of %s: %s", it.Name, it.Action)
		}
	}
	if _, err := h.client.Get(ctx, &configv1.GetRequest{Type: &configv1.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "Gateway"}, Name: "gw"}); err != nil {
		t.Fatal(err)
	}
}

func TestApplyRejectsAllOrNothing(t *testing.T) {
	h := start(t, Options{Token: testToken})
	ctx := authed(t)
	bad := strings.Replace(manifests, "port: 8080\n      protocol", "port: 0\n      protocol", 1)
	_, err := h.client.Apply(ctx, &configv1.ApplyRequest{Manifests: []byte(bad)})
	wantStatus(t, err, codes.InvalidArgument, http.StatusUnprocessableEntity)
	res := ApplyResponseFromError(err)
	if res == nil {
		t.Fatal("the error carries no per-object report")
	}
	if got := applySummary(res); got != "0/-1 GatewayClass /eg skipped; 1/0 Gateway /gw rejected; 1/1 HTTPRoute /r skipped" {
		t.Fatalf("report: %s", got)
	}
	var st metav1.Status
	if err := json.Unmarshal(res.Items[1].Status, &st); err != nil {
		t.Fatal(err)
	}
	if st.Code != http.StatusUnprocessableEntity || st.Details == nil || len(st.Details.Causes) == 0 || st.Details.Causes[0].Field != "spec.listeners[0].port" {
		t.Fatalf("Gateway's Status: %+v", st)
	}
	list, err := h.client.List(ctx, &configv1.ListRequest{Type: &configv1.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "GatewayClass"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 {
		t.Fatalf("a rejected apply stored %d GatewayClass(es)", len(list.Items))
	}

	// Input that cannot be read at all has no per-object report.
	_, err = h.client.Apply(ctx, &configv1.ApplyRequest{Manifests: []byte("kind: [")})
	wantStatus(t, err, codes.InvalidArgument, http.StatusBadRequest)
	if ApplyResponseFromError(err) != nil {
		t.Fatal("report for unreadable input")
	}
}

func applySummary(res *configv1.ApplyResponse) string {
	var s []string
	for _, it := range res.Items {
		s = append(s, strings.Join([]string{
			itoa(it.Document) + "/" + itoa(it.Index), it.Kind, it.Namespace + "/" + it.Name, it.Action,
		}, " "))
	}
	return strings.Join(s, "; ")
}

func itoa(i int32) string { return strconv.Itoa(int(i)) }
