package gatewayapi

import (
	"reflect"
	"testing"
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
