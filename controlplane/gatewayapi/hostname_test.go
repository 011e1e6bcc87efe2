package gatewayapi

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		outer, inner string
		want         bool
	}{
		{"", "foo.example.com", true},
		{"*", "*.example.com", true},
		{"foo.example.com", "foo.example.com", true},
		{"foo.example.com", "bar.example.com", false},
		{"*.example.com", "foo.example.com", true},
		{"*.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "fooexample.com", false},
		{"*.example.com", "*.example.com", true},
		{"*.example.com", "*.foo.example.com", true},
		{"*.foo.example.com", "*.example.com", false},
		{"foo.example.com", "*.example.com", false},
		{"foo.example.com", "", false},
	} {
		if got := covers(tc.outer, tc.inner); got != tc.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tc.outer, tc.inner, got, tc.want)
		}
	}
}

func TestIntersect(t *testing.T) {
	for _, tc := range []struct {
		listener string
		route    []string
		want     []string
	}{
		{"", nil, []string{"*"}},
		{"foo.example.com", nil, []string{"foo.example.com"}},
		{"", []string{"a.com", "*.b.com"}, []string{"a.com", "*.b.com"}},
		{"very.specific.com", []string{"non.matching.com", "*.specific.com"}, []string{"very.specific.com"}},
		{"*.wildcard.io", []string{"wildcard.io", "foo.wildcard.io", "*.sub.wildcard.io"}, []string{"foo.wildcard.io", "*.sub.wildcard.io"}},
		{"*.a.io", []string{"*.io"}, []string{"*.a.io"}},
		{"*.a.io", []string{"*.b.io", "a.io"}, nil},
		{"foo.com", []string{"*.foo.com", "foo.com", "foo.com"}, []string{"foo.com"}},
	} {
		if got := intersect(tc.listener, tc.route); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("intersect(%q, %q) = %q, want %q", tc.listener, tc.route, got, tc.want)
		}
	}
}

func TestValidateHostname(t *testing.T) {
	for h, ok := range map[string]bool{
		"foo.example.com": true, "*.example.com": true, "localhost": true,
		"10.0.0.1": false, "::1": false, "Foo.com": false, "*": false, "foo.*.com": false, "": false, "-a.com": false,
	} {
		if err := validateHostname(h); (err == nil) != ok {
			t.Errorf("validateHostname(%q) = %v, want ok=%v", h, err, ok)
		}
	}
}

// isDNS1123Subdomain must agree with the apimachinery check it stands in
// for on every string, near-valid ones above all.
func TestIsDNS1123SubdomainMatchesApimachinery(t *testing.T) {
	alphabet := []string{"a", "z", "0", "9", "-", ".", "A", "_", "*", " ", "é", "\n"}
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []string{"", ".", "a", "a.", ".a", "a..b", "-a", "a-", "a-b", "a.-b", "foo.example.com",
		strings.Repeat("a", 253), strings.Repeat("a", 254), strings.Repeat("a.", 126) + "a", strings.Repeat("a.", 127) + "a"}
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(12) {
			// Mostly letters and dots, so that many strings are valid.
			if rng.IntN(4) > 0 {
				b.WriteString(alphabet[rng.IntN(2)])
			} else {
				b.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
		}
		cases = append(cases, b.String())
	}
	valid := 0
	for _, s := range cases {
		want := len(validation.IsDNS1123Subdomain(s)) == 0
		if got := isDNS1123Subdomain(s); got != want {
			t.Fatalf("isDNS1123Subdomain(%q) = %v, apimachinery says %v", s, got, want)
		}
		if want {
			valid++
		}
	}
	if valid < len(cases)/10 || valid > len(cases)*9/10 {
		t.Fatalf("%d of %d strings valid: the generator is lopsided", valid, len(cases))
	}
}
