package resource

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// splitDocumentsReference is splitDocuments as first written, reading
// every line as text; the fast one must cut exactly the same documents.
func splitDocumentsReference(data []byte) []*document {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var docs []*document
	cur := &document{line: 1}
	index := 0
	preamble := true
	flush := func() {
		if cur.firstLine > 0 {
			cur.index = index
			docs = append(docs, cur)
		}
		if cur.firstLine > 0 || !preamble {
			index++
		}
		preamble = false
	}
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		text := strings.TrimRight(string(line), "\r\n")
		if rest, ok := separator(text); ok {
			flush()
			cur = &document{line: lineNo}
			text = strings.TrimLeft(rest, " \t")
			line = []byte("\n")
			if !blankLine(text) {
				line = []byte("    " + text + "\n")
			}
		}
		if cur.firstLine == 0 && !blankLine(text) {
			cur.firstLine = lineNo
		}
		cur.data = append(cur.data, line...)
	}
	flush()
	return docs
}

// Files made of the repository's documents joined by every kind of
// separator line, blank and comment lines, and mutated, split the same.
func TestSplitDocumentsEqualsReference(t *testing.T) {
	docs := corpus(t)
	seps := []string{"---\n", "--- \n", "---\t# c\n", "--- a: 1\n", "----\n", "--- #x\n", "---\r\n", "\n", "# c\n", "  ---\n", "--- |\n"}
	rng := rand.New(rand.NewPCG(12, 13))
	edges := []string{"", "---", "---\n", "a: 1\n---", "a: 1\n--- b: 2", "--- b: 2", "---\r\n---", "\n\n---\n\n# c\n---\t\na: 1",
		"a: 1\n----\n---x\n --- \n---", "\xef\xbb\xbf---\na: 1", "---\n---\n", "a: 1\r\n---\r\nb: 2\r\n"}
	for i := range 3000 + len(edges) {
		var b bytes.Buffer
		if rng.IntN(4) == 0 {
			b.WriteString("\xef\xbb\xbf")
		}
		for range rng.IntN(6) {
			b.WriteString(seps[rng.IntN(len(seps))])
			b.Write(docs[rng.IntN(len(docs))])
		}
		data := b.Bytes()
		if i >= 3000 {
			data = []byte(edges[i-3000])
		} else if i%2 == 1 {
			data = mutateYAML(rng, data)
		}
		got, want := splitDocuments(data), splitDocumentsReference(data)
		if len(got) != len(want) {
			t.Fatalf("%d documents, want %d:\n%s", len(got), len(want), data)
		}
		for k := range got {
			g, w := got[k], want[k]
			if g.index != w.index || g.line != w.line || g.firstLine != w.firstLine || !bytes.Equal(g.data, w.data) {
				t.Fatalf("document %d differs:\ngot  %d %d %d %q\nwant %d %d %d %q", k, g.index, g.line, g.firstLine, g.data, w.index, w.line, w.firstLine, w.data)
			}
		}
	}
}
