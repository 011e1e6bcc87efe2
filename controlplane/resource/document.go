package resource

import (
	"bytes"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// document is one YAML document of an input file.
type document struct {
	index int
	// line is the 1-based file line of data's first byte.
	line int
	// firstLine is the file line of the first line that is neither blank nor
	// a comment; errors about the whole document point there.
	firstLine int
	data      []byte

	// root is parsed lazily, only to find the line of a field in an error:
	// decoding itself goes through sigs.k8s.io/yaml so that values are read
	// exactly as kubectl reads them (YAML 1.1), which yaml.v3 does not do.
	parsed bool
	root   *yamlv3.Node

	// notSimple is set when the fast reader has declined the document.
	notSimple bool
}

// fastMaps is off only in tests that compare decoding with and without
// the fast reader's maps.
var fastMaps = true

// takeObject returns the map the fast reader makes of the document when
// the decoder wants one and the reader takes the document, else nil;
// whoever takes it may change it.
func (d *document) takeObject(wantMap bool) map[string]any {
	if !wantMap || !fastMaps {
		return nil
	}
	obj, ok := simpleYAMLValue(d.data)
	d.notSimple = !ok
	return obj
}

// toJSON reads the document as JSON. It is not cached: the decoder asks
// once per document (input.json keeps its own), and every document lives
// until the whole file is decoded.
func (d *document) toJSON() ([]byte, error) {
	if d.notSimple {
		return sigsyaml.YAMLToJSONStrict(d.data)
	}
	return yamlToJSON(d.data)
}

// splitDocuments cuts data at "---" separator lines. A separator is "---"
// alone or followed by white space; YAML forbids it inside content at column
// 0, so a line-based cut is exact. Blank documents (only white space and
// comments) are dropped; only a blank preamble before the first separator
// does not take up an index, so the count matches what a reader sees.
//
// A document's data is its lines as written, its separator line replaced
// by a blank line (or by the content that follows "---", indented), so
// that lines within it count from the separator. That is nearly always a
// slice of data itself, from the separator's newline on: the split reads
// only the lines that start with "---" and a document's first lines.
func splitDocuments(data []byte) []*document {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var docs []*document
	index := 0
	preamble := true
	cur := &document{line: 1}
	from, fromLine := 0, 1 // where cur's content after its separator starts
	for pos := 0; ; {
		start, end, rest, ok := nextSeparator(data, pos)
		if !ok {
			start = len(data)
		}
		cur.finish(data, from, start, fromLine)
		if cur.firstLine > 0 {
			cur.index = index
			docs = append(docs, cur)
		}
		if cur.firstLine > 0 || !preamble {
			index++
		}
		preamble = false
		if !ok {
			return docs
		}
		sepLine := fromLine + bytes.Count(data[from:start], []byte("\n"))
		cur = &document{line: sepLine}
		// Keep content that follows "---" on the same line (rare, but
		// valid YAML); a comment or white space there is dropped, since
		// a tab would read as indentation, which YAML forbids.
		if text := strings.TrimLeft(rest, " \t"); !blankLine(text) {
			cur.data = []byte("    " + text + "\n")
			cur.firstLine = sepLine
		}
		from, fromLine, pos = end, sepLine+1, end
	}
}

// nextSeparator finds the first separator line that starts at or after
// pos, a line start: its start, its end (past its newline) and the text
// after "---".
func nextSeparator(data []byte, pos int) (start, end int, rest string, ok bool) {
	for pos < len(data) {
		start = pos
		if !bytes.HasPrefix(data[pos:], []byte("---")) {
			i := bytes.Index(data[pos:], []byte("\n---"))
			if i < 0 {
				return 0, 0, "", false
			}
			start = pos + i + 1
		}
		end = len(data)
		if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
			end = start + i + 1
		}
		if rest, ok := separator(strings.TrimRight(string(data[start:end]), "\r\n")); ok {
			return start, end, rest, true
		}
		pos = end
	}
	return 0, 0, "", false
}

// finish sets the document's data and first line from the content
// data[from:to], which starts at line fromLine. d.data already holds what
// stands for the separator line when that is content.
func (d *document) finish(data []byte, from, to, fromLine int) {
	body := data[from:to:to]
	switch {
	case d.data != nil:
		d.data = append(d.data, body...)
		return
	case from == 0:
		d.data = body
	case data[from-1] == '\n':
		d.data = data[from-1 : to : to] // the separator line's newline
	default: // a separator on the last line, without a newline
		d.data = []byte("\n")
	}
	d.firstLine = firstContentLine(body, fromLine)
}

// firstContentLine returns the number of the first line of body that is
// neither blank nor a comment, counting from line; 0 if there is none.
func firstContentLine(body []byte, line int) int {
	for ; len(body) > 0; line++ {
		text := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			text, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		if !blankLine(strings.TrimRight(string(text), "\r\n")) {
			return line
		}
	}
	return 0
}

// separator reports whether text is a document separator, and what follows it.
func separator(text string) (string, bool) {
	rest, ok := strings.CutPrefix(text, "---")
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return "", false
	}
	return rest, true
}

func blankLine(text string) bool {
	t := strings.TrimSpace(text)
	return t == "" || strings.HasPrefix(t, "#")
}

// lineOf returns the file line of the field at path (a Kubernetes field path
// such as "spec.rules[0].matches[0]"), or of the deepest part of it that
// exists, falling back to the document's first line.
func (d *document) lineOf(path string) int {
	if !d.parsed {
		d.parsed = true
		var n yamlv3.Node
		if yamlv3.Unmarshal(d.data, &n) == nil && n.Kind == yamlv3.DocumentNode && len(n.Content) == 1 {
			d.root = n.Content[0]
		}
	}
	line := d.firstLine
	node := d.root
	for _, seg := range parseFieldPath(path) {
		if node == nil {
			break
		}
		var keyLine int
		node, keyLine = child(node, seg)
		if keyLine > 0 {
			line = d.line + keyLine - 1
		}
	}
	return line
}

// child steps from n to its child named by seg; it returns the child and the
// line that names it (the key of a mapping entry, the item of a sequence).
func child(n *yamlv3.Node, seg string) (*yamlv3.Node, int) {
	for n.Kind == yamlv3.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yamlv3.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i+1], n.Content[i].Line
			}
		}
	case yamlv3.SequenceNode:
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], n.Content[i].Line
		}
	}
	return nil, 0
}

// parseFieldPath splits "a.b[0].c[key.with.dots]" into "a","b","0","c","key.with.dots".
func parseFieldPath(path string) []string {
	var segs []string
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return append(segs, path[1:])
			}
			segs = append(segs, path[1:end])
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs = append(segs, path[:end])
			path = path[end:]
		}
	}
	return segs
}
