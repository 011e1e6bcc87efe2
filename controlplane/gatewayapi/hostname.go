package gatewayapi

import (
	"cmp"
	"fmt"
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Hostnames here are exact names ("foo.example.com"), wildcards
// ("*.example.com", which match one or more leading labels), or "" for a
// listener without a hostname, which matches any host.

// anyHost is the virtual host name for "no hostname on either side".
const anyHost = "*"

func isWildcard(h string) bool { return strings.HasPrefix(h, "*.") }

// validateHostname applies the Gateway API's rules: an RFC 1123 name,
// optionally behind a "*." label, and never an IP address.
func validateHostname(h string) error {
	if _, err := netip.ParseAddr(h); err == nil {
		return fmt.Errorf("%q is an IP address, not a hostname", h)
	}
	name := strings.TrimPrefix(h, "*.")
	if isDNS1123Subdomain(name) {
		return nil
	}
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return fmt.Errorf("%q is not a valid hostname: %s", h, strings.Join(errs, "; "))
	}
	return nil
}

// isDNS1123Subdomain is validation.IsDNS1123Subdomain finding no error,
// without its regular expression: every route's hostnames pass here, and
// the match cost a twentieth of a large translation.
func isDNS1123Subdomain(s string) bool {
	if len(s) > validation.DNS1123SubdomainMaxLength {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// covers reports whether every host matched by inner is also matched by
// outer. "" and "*" cover everything.
func covers(outer, inner string) bool {
	switch {
	case outer == "" || outer == anyHost:
		return true
	case inner == "" || inner == anyHost:
		return false
	case !isWildcard(outer):
		return outer == inner
	}
	suffix := outer[1:] // ".example.com"
	if isWildcard(inner) {
		return inner == outer || strings.HasSuffix(inner[1:], suffix)
	}
	return strings.HasSuffix(inner, suffix) && len(inner) > len(suffix)
}

// overlaps reports whether some host matches both a and b. For names of
// this shape that happens exactly when one covers the other.
func overlaps(a, b string) bool { return covers(a, b) || covers(b, a) }

// intersect returns the hostnames a route serves on a listener: the route's
// hostnames narrowed to the listener's, as the HTTPRoute hostnames field
// describes. A listener without a hostname passes route hostnames through; a
// route without hostnames takes the listener's. Nil means no intersection.
func intersect(listener string, route []string) []string {
	if len(route) == 0 {
		if listener == "" {
			return []string{anyHost}
		}
		return []string{listener}
	}
	var out []string
	for _, h := range route {
		switch {
		case covers(listener, h):
			out = append(out, h)
		case covers(h, listener):
			out = append(out, listener)
		}
	}
	return dedupe(out)
}

// specificity ranks hostnames so that the more specific sorts first: exact
// names, then wildcards by length of suffix, then the catch-all.
func specificity(h string) (exactChars, chars int) {
	switch {
	case h == "" || h == anyHost:
		return 0, 0
	case isWildcard(h):
		return 0, len(h)
	}
	return len(h), len(h)
}

// compareHostnames sorts more specific hostnames first.
func compareHostnames(a, b string) int {
	ea, ca := specificity(a)
	eb, cb := specificity(b)
	return cmp.Or(cmp.Compare(eb, ea), cmp.Compare(cb, ca))
}

func moreSpecific(a, b string) bool { return compareHostnames(a, b) < 0 }

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
