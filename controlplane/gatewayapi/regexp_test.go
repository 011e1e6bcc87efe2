package gatewayapi

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// checkRegexp only parses; it must give regexp.Compile's verdict and
// error on every expression, since the error is the route's status message.
func TestCheckRegexpMatchesCompile(t *testing.T) {
	pieces := []string{"a", ".", "*", "+", "?", "(", ")", "[", "]", "^", "$", "|", "\\", "\\d", "{2}", "{2,1}",
		"(?:", "(?i)", "(?P<n>", "[^", "-", "\\p{L}", "\\x{110000}", "\\z", "{1001}", "é", "\xff"}
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []string{"", "(", strings.Repeat("(", 1001) + strings.Repeat(")", 1001)}
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	valid := 0
	for _, re := range cases {
		_, want := regexp.Compile(re)
		got := checkRegexp(re)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("checkRegexp(%q) = %v, regexp.Compile gives %v", re, got, want)
		}
		if got == nil {
			valid++
		}
	}
	if valid < len(cases)/10 || valid > len(cases)*9/10 {
		t.Fatalf("%d of %d expressions valid: the generator is lopsided", valid, len(cases))
	}
}
