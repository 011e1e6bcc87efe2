package translator

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// FieldError is bad input, located by its IR field path.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// checkRegex compiles re the way gRPC does (RE2 syntax, whole-string
// match). ValidateAll accepts any non-empty string, and a client NACKs the
// whole resource for one bad regex.
func checkRegex(re string, path fieldPath) error {
	if re == "" {
		return fieldErr(path.String(), "empty regular expression")
	}
	// Alone first, so that the message quotes the user's text; then
	// anchored, as both clients use it. Parsing is all of regexp.Compile
	// that can fail (the rest only builds the matcher, a tenth of a large
	// fleet's translation), and it returns the very same error.
	if _, err := syntax.Parse(re, syntax.Perl); err != nil {
		return fieldErr(path.String(), "invalid regular expression %q: %v", re, err)
	}
	if _, err := syntax.Parse("^(?:"+re+")$", syntax.Perl); err != nil {
		return fieldErr(path.String(), "invalid regular expression %q: %v", re, err)
	}
	return nil
}

func checkPath(p string, path fieldPath) error {
	if !strings.HasPrefix(p, "/") {
		return fieldErr(path.String(), "%q must start with \"/\"", p)
	}
	if strings.ContainsAny(p, "?#") {
		return fieldErr(path.String(), "%q must not contain \"?\" or \"#\"", p)
	}
	return nil
}

// checkNames rejects what would make two resources collide or a reference
// dangle; Envoy would reject a RouteConfiguration with duplicate domains
// only when it loads it, long after this error could name the field.
func checkNames(x *ir.Xds, c *Cache) error {
	if x.Fleet == "" {
		return fieldErr("fleet", "must not be empty")
	}
	if err := checkListeners(x.Listeners, c); err != nil {
		return err
	}
	// The clusters' check depends on nothing else, and IR pieces are
	// immutable: the very clusters of the last checked IR pass again.
	if c != nil && c.checkedClusters != nil && slices.Equal(c.checkedClusters, x.Clusters) {
		return nil
	}
	if err := checkClusters(x.Clusters); err != nil {
		return err
	}
	if c != nil {
		c.checkedClusters = x.Clusters
	}
	return nil
}

func checkListeners(ls []*ir.Listener, c *Cache) error {
	names, ports := map[string]int{}, map[uint32]int{}
	for i, l := range ls {
		path := fmt.Sprintf("listeners[%d]", i)
		if l == nil {
			return fieldErr(path, "must not be null")
		}
		if err := unique(names, l.Name, i, path+".name", "listeners"); err != nil {
			return err
		}
		if l.Port == 0 || l.Port > 65535 {
			return fieldErr(path+".port", "%d is not a port", l.Port)
		}
		if j, dup := ports[l.Port]; dup {
			return fieldErr(path+".port", "port %d is also used by listeners[%d]", l.Port, j)
		}
		ports[l.Port] = i
		if l.Address == "" {
			return fieldErr(path+".address", "must not be empty")
		}
		if err := c.checkVirtualHosts(l.Name, l.VirtualHosts, path); err != nil {
			return err
		}
	}
	return nil
}

// checkVirtualHosts is checkVirtualHosts, passing at once the virtual
// hosts that passed last time under listener name where they are again
// after the same one: IR pieces are immutable, and the order is checked
// between neighbours.
func (c *Cache) checkVirtualHosts(name string, vhs []*ir.VirtualHost, path string) error {
	if c == nil {
		return checkVirtualHosts(vhs, path)
	}
	last := c.checkedVhosts[name]
	for i, vh := range vhs {
		if i < len(last) && last[i] == vh && (i == 0 || last[i-1] == vhs[i-1]) {
			continue
		}
		if vh == nil || vh.Name == "" || vh.Hostname == "" ||
			(i > 0 && (vhs[i-1].Name >= vh.Name || vhs[i-1].Hostname >= vh.Hostname)) || !soundAlone(vh) {
			return checkVirtualHosts(vhs, path)
		}
	}
	if c.checkedVhosts == nil {
		c.checkedVhosts = map[string][]*ir.VirtualHost{}
	}
	c.checkedVhosts[name] = vhs
	return nil
}

func checkVirtualHosts(vhs []*ir.VirtualHost, path string) error {
	// A fleet has thousands of virtual hosts, sorted by name (and so by
	// hostname, as the names end with it): then strictly increasing means
	// unique, and the maps that would locate a duplicate are not needed.
	fast := !slices.Contains(vhs, nil) &&
		increasing(vhs, func(vh *ir.VirtualHost) string { return vh.Name }) &&
		increasing(vhs, func(vh *ir.VirtualHost) string { return vh.Hostname })
	names, hosts := map[string]int{}, map[string]int{}
	for i, vh := range vhs {
		if fast && soundAlone(vh) {
			continue
		}
		vpath := fmt.Sprintf("%s.virtualHosts[%d]", path, i)
		if vh == nil {
			return fieldErr(vpath, "must not be null")
		}
		if err := unique(names, vh.Name, i, vpath+".name", "virtualHosts"); err != nil {
			return err
		}
		if err := unique(hosts, vh.Hostname, i, vpath+".hostname", "virtualHosts"); err != nil {
			return err
		}
		if err := checkHostname(vh.Hostname, vpath+".hostname"); err != nil {
			return err
		}
		for j, r := range vh.Routes {
			if r == nil {
				return fieldErr(fmt.Sprintf("%s.routes[%d]", vpath, j), "must not be null")
			}
		}
	}
	return nil
}

// soundAlone reports whether non-null vh passes the checks that look at
// it alone: its hostname, and no null route.
func soundAlone(vh *ir.VirtualHost) bool {
	return checkHostname(vh.Hostname, "") == nil && !slices.Contains(vh.Routes, nil)
}

// increasing reports whether key is strictly increasing over items and
// never empty.
func increasing[T any](items []T, key func(T) string) bool {
	for i := range items {
		k := key(items[i])
		if k == "" || (i > 0 && key(items[i-1]) >= k) {
			return false
		}
	}
	return true
}

// checkHostname allows the forms a virtual host domain can take in both
// Envoy and gRPC: "*", "*.suffix" or a name without wildcards or port.
func checkHostname(h, path string) error {
	rest := strings.TrimPrefix(h, "*")
	if h != "*" && rest != h && !strings.HasPrefix(rest, ".") {
		return fieldErr(path, "%q: a wildcard must be \"*\" or start with \"*.\"", h)
	}
	if strings.ContainsAny(rest, "*:/ ") {
		return fieldErr(path, "%q must be a hostname without port or more wildcards", h)
	}
	return nil
}

func checkClusters(cs []*ir.Cluster) error {
	// Sorted by name, as the IR's clusters are, strictly increasing names
	// are unique and found by binary search; otherwise a map locates them.
	sorted := !slices.Contains(cs, nil) && increasing(cs, func(c *ir.Cluster) string { return c.Name })
	names := map[string]int{}
	for i, c := range cs {
		if sorted {
			if c.Name != invalidCluster {
				continue
			}
		}
		path := fmt.Sprintf("clusters[%d]", i)
		if c == nil {
			return fieldErr(path, "must not be null")
		}
		if err := unique(names, c.Name, i, path+".name", "clusters"); err != nil {
			return err
		}
		if c.Name == invalidCluster {
			return fieldErr(path+".name", "%q is reserved for invalid backends", c.Name)
		}
	}
	index := func(n string) (int, bool) {
		if sorted {
			return slices.BinarySearchFunc(cs, n, func(c *ir.Cluster, n string) int { return strings.Compare(c.Name, n) })
		}
		j, ok := names[n]
		return j, ok
	}
	// The gRPC variant names the parts of a DNS cluster "<name>#<i>"; such
	// a part must not be another cluster.
	for i, c := range cs {
		for _, n := range clusterNames(c, grpcVariant) {
			if j, ok := index(n); ok && n != c.Name {
				return fieldErr(fmt.Sprintf("clusters[%d].name", j), "%q clashes with the gRPC name of a part of clusters[%d]", n, i)
			}
		}
	}
	return nil
}

func unique[K comparable](seen map[K]int, k K, i int, path, list string) error {
	var zero K
	if k == zero {
		return fieldErr(path, "must not be empty")
	}
	if j, dup := seen[k]; dup {
		return fieldErr(path, "%v is also used by %s[%d]", k, list, j)
	}
	seen[k] = i
	return nil
}

// validateAll runs every resource's proto constraint checks (Envoy's own
// rules); an error here is a translator bug, not bad input.
func (r *Resources) validateAll() error {
	return validateEach(r.all())
}

func validateEach(ms []validatable) error {
	var errs []error
	for _, m := range ms {
		if err := m.ValidateAll(); err != nil {
			errs = append(errs, fmt.Errorf("%T %q: %w", m, nameOf(m), err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("internal error: generated resources fail validation: %w", errors.Join(errs...))
	}
	return nil
}

func validatables[T validatable](ms []T) []validatable {
	out := make([]validatable, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}
