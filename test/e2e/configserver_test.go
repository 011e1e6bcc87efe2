package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/testutil/xdsclient"
)

var httpRouteGVK = schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"}

func put(t *testing.T, c *apiclient.Client, manifest string) {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(manifest), &obj); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(context.Background(), &unstructured.Unstructured{Object: obj}, apiclient.WriteOptions{}); err != nil {
		t.Fatalf("PUT %s: %v", strings.SplitN(manifest, "\n", 3)[1], err)
	}
}

// A route PUT through the Config Server reaches a real xDS client, gets its
// status written back, and is gone from the data plane once deleted.
func TestConfigServerPutRouteReachesXDSClient(t *testing.T) {
	m, c := startWithConfigServer(t)
	for _, doc := range strings.Split(infra, "---\n") {
		put(t, c, doc)
	}
	host, port := xdsclient.StartBackend(t, "a")
	put(t, c, backendYAML("a", host, port))
	route := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: api
  namespace: default
spec:
  parentRefs:
  - name: eg
  hostnames: ["api.example.com"]
  rules:
  - backendRefs:
    - {group: envoygateway.dev, kind: Backend, name: a}
`
	put(t, c, route)

	client := xdsclient.Dial(t, m.XDSAddr().String(), "eg", "e2e-api-client", "http-8080", grpc.WithAuthority("api.example.com"))
	xdsclient.WantBackend(t, client, "EmptyCall", "a")

	xdsclient.Eventually(t, "the route's Accepted status is written back", func() error {
		obj, err := c.Get(context.Background(), httpRouteGVK, "default", "api")
		if err != nil {
			return err
		}
		parents, _, _ := unstructured.NestedSlice(obj.Object, "status", "parents")
		if len(parents) != 1 {
			return fmt.Errorf("status.parents = %v", parents)
		}
		conds, _, _ := unstructured.NestedSlice(parents[0].(map[string]any), "conditions")
		for _, cd := range conds {
			cm := cd.(map[string]any)
			if cm["type"] == "Accepted" && cm["status"] == "True" {
				if obj.GetGeneration() != 1 {
					return fmt.Errorf("status write bumped generation to %d", obj.GetGeneration())
				}
				return nil
			}
		}
		return fmt.Errorf("no Accepted=True in %v", conds)
	})

	if _, err := c.Delete(context.Background(), httpRouteGVK, "default", "api", apiclient.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	xdsclient.Eventually(t, "calls fail once the route is deleted", func() error {
		if got, err := xdsclient.Call(context.Background(), client, "EmptyCall"); err == nil {
			return fmt.Errorf("still routed to %q", got)
		}
		return nil
	})
}
