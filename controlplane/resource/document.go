package resource

import (
	"bytes"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
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

	// read is set once the document has been read, by the fast YAML
	// reader into obj when the decoder wants a map (it has a Validator)
	// and the reader takes the document, else by go-yaml into json.
	read bool
	obj  map[string]any
	// json caches the document read as JSON (or the error): go-yaml's
	// reading, or the fast reader's printed, made only when needed.
	converted bool
	json      []byte
	jsonErr   error
}

// readAhead reads the document; the parallel decoder calls it for every
// document ahead of the rest.
func (d *document) readAhead(wantMap bool) {
	if d.read {
		return
	}
	d.read = true
	if wantMap && fastMaps {
		if obj, ok := simpleYAMLValue(d.data); ok {
			d.obj = obj
			return
		}
	}
	d.toJSON()
}

// fastMaps is off only in tests that compare decoding with and without
// the fast reader's maps.
var fastMaps = true

// takeObject returns the map the fast reader made, once: whoever takes it
// may change it.
func (d *document) takeObject(wantMap bool) map[string]any {
	d.readAhead(wantMap)
	obj := d.obj
	d.obj = nil
	return obj
}

// toJSON reads the document as JSON, once.
func (d *document) toJSON() ([]byte, error) {
	if !d.converted {
		d.converted = true
		d.json, d.jsonErr = yamlToJSON(d.data)
	}
	return d.json, d.jsonErr
}

// splitDocuments cuts data at "---" separator lines. A separator is "---"
// alone or followed by white space; YAML forbids it inside content at column
// 0, so a line-based cut is exact. Blank documents (only white space and
// comments) are dropped; only a blank preamble before the first separator
// does not take up an index, so the count matches what a reader sees.
func splitDocuments(data []byte) []*document {
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
		// Most lines are content well inside a document: only a possible
		// separator or a document's first lines need reading as text.
		isSep := bytes.HasPrefix(line, []byte("---"))
		if !isSep && cur.firstLine > 0 {
			cur.data = append(cur.data, line...)
			continue
		}
		text := strings.TrimRight(string(line), "\r\n")
		if rest, ok := separator(text); ok {
			flush()
			cur = &document{line: lineNo}
			// Keep content that follows "---" on the same line (rare, but
			// valid YAML); a comment or white space there is dropped, since
			// a tab would read as indentation, which YAML forbids.
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
