package apiclient

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kind is one kind the server serves, in one version, as its discovery
// documents describe it.
type Kind struct {
	schema.GroupVersionKind
	// Resource is the lower-case plural of URLs ("httproutes").
	Resource   string
	Namespaced bool
	// Preferred: the group's preferred version, which name lookups pick.
	Preferred bool
}

// kindCache is the server's discovery, read once per Client: kinds do not
// change while a server runs.
type kindCache struct {
	all []Kind
}

type apiGroupList struct {
	Groups []struct {
		Name     string `json:"name"`
		Versions []struct {
			GroupVersion string `json:"groupVersion"`
		} `json:"versions"`
		PreferredVersion struct {
			GroupVersion string `json:"groupVersion"`
		} `json:"preferredVersion"`
	} `json:"groups"`
}

type apiResourceList struct {
	GroupVersion string `json:"groupVersion"`
	Resources    []struct {
		Name       string `json:"name"`
		Namespaced bool   `json:"namespaced"`
		Kind       string `json:"kind"`
	} `json:"resources"`
}

// Kinds lists every kind the server serves, preferred versions first.
func (c *Client) Kinds(ctx context.Context) ([]Kind, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kinds != nil {
		return c.kinds.all, nil
	}
	var groups apiGroupList
	// Errors are not wrapped: "cannot reach the server" or "401" say it
	// all, and every call starts here.
	if _, err := c.doJSON(ctx, request{method: http.MethodGet, path: "/apis"}, &groups); err != nil {
		return nil, err
	}
	type gvPref struct {
		gv        string
		preferred bool
	}
	gvs := []gvPref{{"v1", true}}
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			gvs = append(gvs, gvPref{v.GroupVersion, v.GroupVersion == g.PreferredVersion.GroupVersion})
		}
	}
	var all []Kind
	for _, g := range gvs {
		gv, err := schema.ParseGroupVersion(g.gv)
		if err != nil {
			return nil, fmt.Errorf("discovery: group version %q: %v", g.gv, err)
		}
		var rl apiResourceList
		if _, err := c.doJSON(ctx, request{method: http.MethodGet, path: gvPath(gv)}, &rl); err != nil {
			return nil, err
		}
		for _, r := range rl.Resources {
			if strings.Contains(r.Name, "/") {
				continue // a subresource
			}
			all = append(all, Kind{GroupVersionKind: gv.WithKind(r.Kind), Resource: r.Name, Namespaced: r.Namespaced, Preferred: g.preferred})
		}
	}
	slices.SortStableFunc(all, func(a, b Kind) int {
		if a.Preferred != b.Preferred {
			if a.Preferred {
				return -1
			}
			return 1
		}
		return 0
	})
	c.kinds = &kindCache{all: all}
	return all, nil
}

// KindFor looks up the kind of an apiVersion and kind, as an object names it.
func (c *Client) KindFor(ctx context.Context, gvk schema.GroupVersionKind) (Kind, error) {
	all, err := c.Kinds(ctx)
	if err != nil {
		return Kind{}, err
	}
	for _, k := range all {
		if k.GroupVersionKind == gvk {
			return k, nil
		}
	}
	return Kind{}, fmt.Errorf("the server does not serve kind %s in %s", gvk.Kind, gvk.GroupVersion())
}

// shortNames are the names kubectl users type, from the CRDs' and the core
// kinds' shortNames (plus "gw", which people use for Gateways anyway).
var shortNames = map[string]string{
	"gc":         "gatewayclasses",
	"gtw":        "gateways",
	"gw":         "gateways",
	"refgrant":   "referencegrants",
	"lset":       "listenersets",
	"btlspolicy": "backendtlspolicies",
	"svc":        "services",
	"ns":         "namespaces",
}

// ResolveKind finds the kind a person means, as kubectl does: the kind
// ("HTTPRoute"), its plural or singular resource name ("httproutes",
// "httproute"), a short name ("gc"), any of them case-insensitive and
// optionally qualified by group ("httproutes.gateway.networking.k8s.io")
// or by version and group ("httproutes.v1.gateway.networking.k8s.io").
func (c *Client) ResolveKind(ctx context.Context, name string) (Kind, error) {
	all, err := c.Kinds(ctx)
	if err != nil {
		return Kind{}, err
	}
	n := strings.ToLower(strings.TrimSpace(name))
	if full, ok := shortNames[n]; ok {
		n = full
	}
	base, qual, _ := strings.Cut(n, ".")
	for _, k := range all {
		if !matchesName(k, base) || !matchesQualifier(k, qual) {
			continue
		}
		return k, nil
	}
	return Kind{}, fmt.Errorf("the server has no resource type %q; it serves: %s", name, strings.Join(resourceNames(all), ", "))
}

func matchesName(k Kind, n string) bool {
	kind := strings.ToLower(k.Kind)
	return n == kind || n == k.Resource
}

func matchesQualifier(k Kind, q string) bool {
	if q == "" {
		return true
	}
	if v, group, ok := strings.Cut(q, "."); ok && v == k.Version && group == k.Group {
		return true
	}
	return q == k.Group || (q == k.Version && k.Group == "")
}

func resourceNames(all []Kind) []string {
	var out []string
	for _, k := range all {
		if k.Preferred && !slices.Contains(out, k.Resource) {
			out = append(out, k.Resource)
		}
	}
	slices.Sort(out)
	return out
}
