package translator

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// compileCheck is checkRegex as it was written first, with regexp.Compile:
// checkRegex only parses, and must accept and reject exactly the same
// expressions with the same messages.
func compileCheck(re, path string) error {
	if re == "" {
		return fieldErr(path, "empty regular expression")
	}
	if _, err := regexp.Compile(re); err != nil {
		return fieldErr(path, "invalid regular expression %q: %v", re, err)
	}
	if _, err := regexp.Compile("^(?:" + re + ")$"); err != nil {
		return fieldErr(path, "invalid regular expression %q: %v", re, err)
	}
	return nil
}

func TestCheckRegexMatchesCompile(t *testing.T) {
	pieces := []string{"a", "b", ".", "*", "+", "?", "(", ")", "[", "]", "^", "$", "|", "\\", "\\d", "{2}",
		"{1,3}", "{2,1}", "(?:", "(?i)", "(?P<n>", "[^", "-", "\\p{L}", "\\x{110000}", "\\z", "\\Z", "{1001}", "é", "\xff"}
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []string{"", "(", "a)(?:b", strings.Repeat("(", 999) + strings.Repeat(")", 999), strings.Repeat("(", 1000) + strings.Repeat(")", 1000)}
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	valid := 0
	for _, re := range cases {
		got, want := fmt.Sprint(checkRegex(re, rootPath("p"))), fmt.Sprint(compileCheck(re, "p"))
		if got != want {
			t.Fatalf("checkRegex(%q) = %s, regexp.Compile gives %s", re, got, want)
		}
		if checkRegex(re, rootPath("p")) == nil {
			valid++
		}
	}
	// Both outcomes must be well represented, or the comparison says little.
	if valid < len(cases)/10 || valid > len(cases)*9/10 {
		t.Fatalf("%d of %d expressions valid: the generator is lopsided", valid, len(cases))
	}
}
