package resource

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// checkFastYAML fails when the fast reader accepts data and reads it
// differently from sigs.k8s.io/yaml, or accepts what that rejects. It
// reports whether the fast reader accepted.
func checkFastYAML(t *testing.T, what string, data []byte) bool {
	t.Helper()
	want, werr := sigsyaml.YAMLToJSONStrict(data)
	got, ok := simpleYAMLToJSON(data)
	if !ok {
		return false
	}
	if werr != nil {
		t.Fatalf("%s: fast reader accepted what go-yaml rejects (%v):\n%s", what, werr, data)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: fast reader differs:\ngot:  %s\nwant: %s\ninput:\n%s", what, got, want, data)
	}
	checkFastMap(t, what, data, want)
	return true
}

// checkFastMap fails unless the fast reader's map of data is the JSON
// path's: js, go-yaml's JSON of data, decoded as the decoder decodes it.
func checkFastMap(t *testing.T, what string, data, js []byte) {
	t.Helper()
	var want map[string]any
	if err := utiljson.Unmarshal(js, &want); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	got, ok := simpleYAMLValue(data)
	if !ok {
		t.Fatalf("%s: the fast reader printed JSON but made no map", what)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: fast reader's map differs:\ngot:  %#v\nwant: %#v\ninput:\n%s", what, got, want, data)
	}
}

// repoYAMLFiles is every YAML file of the repository's manifests and test
// inputs.
func repoYAMLFiles(t *testing.T) [][]byte {
	t.Helper()
	var files [][]byte
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		data, err := os.ReadFile(path)
		files = append(files, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// corpus is every YAML document of repoYAMLFiles.
func corpus(t *testing.T) [][]byte {
	t.Helper()
	var docs [][]byte
	for _, data := range repoYAMLFiles(t) {
		for _, doc := range splitDocuments(data) {
			docs = append(docs, doc.data)
		}
	}
	return docs
}

// Every document of the repository reads the same through the fast reader
// (when it accepts it) as through go-yaml, and so does every mutation of
// them tried here: single-byte edits, indentation shifts, swapped lines.
func TestFastYAMLEqualsGoYAML(t *testing.T) {
	docs := corpus(t)
	accepted := 0
	for i, d := range docs {
		if checkFastYAML(t, fmt.Sprintf("corpus document %d", i), d) {
			accepted++
		}
	}
	t.Logf("fast reader took %d of %d corpus documents", accepted, len(docs))
	if accepted == 0 {
		t.Fatal("the fast reader took no document at all")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		d := docs[rng.IntN(len(docs))]
		checkFastYAML(t, "mutation", mutateYAML(rng, d))
	}
}

var mutationBytes = []byte(" \n\x7f^-:#'\"{}[]&*!|>%@`,?~.0a1\t\r<>\\")

func mutateYAML(rng *rand.Rand, d []byte) []byte {
	d = bytes.Clone(d)
	for range 1 + rng.IntN(3) {
		if len(d) == 0 {
			return d
		}
		i := rng.IntN(len(d))
		switch rng.IntN(5) {
		case 0: // delete a byte
			d = append(d[:i], d[i+1:]...)
		case 1: // insert a byte
			d = append(d[:i], append([]byte{mutationBytes[rng.IntN(len(mutationBytes))]}, d[i:]...)...)
		case 2: // replace a byte
			d[i] = mutationBytes[rng.IntN(len(mutationBytes))]
		case 3: // shift a line's indentation
			lines := bytes.Split(d, []byte("\n"))
			l := rng.IntN(len(lines))
			if rng.IntN(2) == 0 {
				lines[l] = append([]byte(strings.Repeat(" ", 1+rng.IntN(2))), lines[l]...)
			} else {
				lines[l] = bytes.TrimPrefix(lines[l], []byte(" "))
			}
			d = bytes.Join(lines, []byte("\n"))
		default: // swap two lines
			lines := bytes.Split(d, []byte("\n"))
			a, b := rng.IntN(len(lines)), rng.IntN(len(lines))
			lines[a], lines[b] = lines[b], lines[a]
			d = bytes.Join(lines, []byte("\n"))
		}
	}
	return d
}

// trickyScalars are strings whose YAML reading depends on quoting, YAML
// 1.1 rules or indicators.
var trickyScalars = []string{
	"", " ", "a", "x", "y", "Y", "n", "yes", "No", "on", "OFF", "true", "True", "false", "null", "Null", "~",
	"0", "00", "-0", "007", "12", "-12", "+12", "1_000", "0x1F", "0o17", "0b101", "1e3", "1.5", ".5", "1:30", "190:20:30",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", ".inf", "-.inf", ".nan", "<<", "a b", "a  b", " lead", "trail ",
	"#x", "a#b", "a #b", "a: b", "a:b", "- x", "-x", "{}", "[]", "{a: b}", "*a", "&a", "!t", "!!str", "|", ">", "%x",
	"@x", "`x", "'q'", "\"dq\"", "it's", "<b>&amp;", "ü", "a\nb", "a\tb", "\\", "/path/to", "svc.example.com",
	"x-canary", "PathPrefix", "10.1.0.2:8080", "10.1.0.2", "1.2.3", "1.2", "1.2.3.4:80:90", "1.2.3.4:", "1..2.3", "1.2.3:x",
	"http://x:80/y", "a:", "a::b", "a: :b", "^[a-z]+-[0-9]+$", "^a", "a$", "a[b]c", "a{b}", "a,b", "a?b", "a*b", "a|b", "a\\b",
	"a\"b", "a'b", "a!b", "a%b", "a@b", "a`b", "a&b", "a>b", "a - b", "a -b", "a ,b", "a ?b", "a [b]", "a {b}", "^", "^ a",
	"a :b", "99999999999999999999", "123456789012345678", "-9223372036854775808",
}

func randomValue(rng *rand.Rand, depth int) any {
	switch k := rng.IntN(10); {
	case depth < 4 && k < 3:
		m := map[string]any{}
		for range rng.IntN(4) {
			m[randomKey(rng)] = randomValue(rng, depth+1)
		}
		return m
	case depth < 4 && k < 5:
		var s []any
		for range rng.IntN(4) {
			s = append(s, randomValue(rng, depth+1))
		}
		return s
	case k < 6:
		return rng.IntN(2000) - 1000
	case k < 7:
		return rng.IntN(2) == 0
	case k < 8:
		return nil
	}
	return randomScalar(rng)
}

// randomKey is mostly a plain word, so that most documents are ones the
// fast reader takes, and their values are what gets tested.
func randomKey(rng *rand.Rand) string {
	if rng.IntN(10) == 0 {
		return trickyScalars[rng.IntN(len(trickyScalars))]
	}
	return fmt.Sprintf("k%d", rng.IntN(8))
}

func randomScalar(rng *rand.Rand) string {
	if rng.IntN(2) == 0 {
		return trickyScalars[rng.IntN(len(trickyScalars))]
	}
	words := []string{"name", "spec", "kind", "value", "port", "weight", "a", "b-c", "d.e/f", "g_h"}
	return words[rng.IntN(len(words))]
}

// Random objects printed by sigs.k8s.io/yaml (kubectl's style, with the
// quoting it chooses), and the same printed with other indentation and
// quoting a person might use, read the same through both readers.
func TestFastYAMLEqualsGoYAMLOnRandomObjects(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	accepted, restyled := 0, 0
	for i := range 5000 {
		obj := map[string]any{"apiVersion": "v1", "kind": "X", "spec": randomValue(rng, 0)}
		y, err := sigsyaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		if checkFastYAML(t, fmt.Sprintf("object %d", i), y) {
			accepted++
		}
		var b strings.Builder
		writeYAMLStyled(rng, &b, obj, 0, 1+rng.IntN(4))
		if checkFastYAML(t, fmt.Sprintf("restyled object %d", i), []byte(b.String())) {
			restyled++
		}
	}
	t.Logf("fast reader took %d printed and %d restyled objects of 5000", accepted, restyled)
	if accepted < 500 || restyled < 200 {
		t.Fatal("too few random objects taken by the fast reader to test it")
	}
}

// Every tricky scalar, plain, single- and double-quoted, as a value, a
// sequence item and a key, reads the same through both readers.
func TestFastYAMLEqualsGoYAMLOnScalars(t *testing.T) {
	for _, sc := range trickyScalars {
		for _, styled := range []string{sc, "'" + sc + "'", `"` + sc + `"`} {
			for _, doc := range []string{"k: " + styled + "\n", "k:\n- " + styled + "\n- x\n", styled + ": v\n", "k:\n  " + styled + ": v\n"} {
				checkFastYAML(t, fmt.Sprintf("scalar %q", sc), []byte(doc))
			}
		}
	}
}

// writeYAMLStyled prints v in block style with step spaces of indentation,
// sequences sometimes at their key's column, and strings sometimes quoted
// whether they need it or not.
func writeYAMLStyled(rng *rand.Rand, b *strings.Builder, v any, indent, step int) {
	pad := strings.Repeat(" ", indent)
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			b.WriteString(pad + styledScalar(rng, k) + ":")
			writeNested(rng, b, e, indent, step)
		}
	case []any:
		for _, e := range v {
			b.WriteString(pad + "-")
			writeNested(rng, b, e, indent, step)
		}
	}
}

func writeNested(rng *rand.Rand, b *strings.Builder, v any, indent, step int) {
	switch e := v.(type) {
	case map[string]any:
		if len(e) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteString("\n")
		writeYAMLStyled(rng, b, e, indent+step, step)
	case []any:
		if len(e) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteString("\n")
		if rng.IntN(2) == 0 {
			writeYAMLStyled(rng, b, e, indent, step)
		} else {
			writeYAMLStyled(rng, b, e, indent+step, step)
		}
	case nil:
		if rng.IntN(2) == 0 {
			b.WriteString("\n")
		} else {
			b.WriteString(" null\n")
		}
	case string:
		b.WriteString(strings.Repeat(" ", 1+rng.IntN(2)) + styledScalar(rng, e) + "\n")
	default:
		fmt.Fprintf(b, " %v\n", e)
	}
	if rng.IntN(8) == 0 {
		b.WriteString(strings.Repeat(" ", rng.IntN(6)) + "# comment: - x\n")
	}
}

func styledScalar(rng *rand.Rand, s string) string {
	switch rng.IntN(4) {
	case 0:
		return "'" + s + "'"
	case 1:
		return `"` + s + `"`
	}
	return s
}

// The benchmark's workload is written in the plain style, so the fast
// reader must take all of it; otherwise it saves nothing where it counts.
func TestFastYAMLTakesPlainManifests(t *testing.T) {
	data, err := os.ReadFile("testdata/plain-manifests.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i, doc := range splitDocuments(data) {
		if !checkFastYAML(t, fmt.Sprintf("document %d", i), doc.data) {
			t.Errorf("document %d not taken by the fast reader:\n%s", i, doc.data)
		}
	}
}

// FuzzFastYAML: whatever the fast reader accepts, go-yaml reads the same.
func FuzzFastYAML(f *testing.F) {
	data, err := os.ReadFile("testdata/plain-manifests.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, doc := range splitDocuments(data) {
		f.Add(doc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkFastYAML(t, "fuzz input", data) })
}
