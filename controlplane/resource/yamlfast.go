package resource

import (
	"strconv"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"
)

// yamlToJSON converts one YAML document to JSON exactly as
// sigs.k8s.io/yaml.YAMLToJSONStrict does (YAML 1.1 scalars, duplicate keys
// rejected, map keys sorted). Parsing with go-yaml was most of the
// decoder's own time, so the plain block style that manifests are written
// in (and that kubectl and sigs.k8s.io/yaml print) is read by
// simpleYAMLValue; anything else, errors included, goes to go-yaml.
func yamlToJSON(data []byte) ([]byte, error) {
	if js, ok := simpleYAMLToJSON(data); ok {
		return js, nil
	}
	return sigsyaml.YAMLToJSONStrict(data)
}

// simpleYAMLToJSON is simpleYAMLValue printed as encoding/json prints the
// map go-yaml decodes: keys sorted, strings HTML-escaped, no spaces.
func simpleYAMLToJSON(data []byte) ([]byte, bool) {
	obj, ok := simpleYAMLValue(data)
	if !ok {
		return nil, false
	}
	js, err := appendMarshaled(make([]byte, 0, len(data)), obj)
	return js, err == nil
}

// simpleYAMLValue reads the subset of YAML whose meaning is certain
// without a full parser: block mappings and sequences indented with
// spaces, one entry per line; keys and unquoted values that YAML 1.1 can
// only read as strings, decimal integers, true, false and null; quoted
// strings without escapes; {} and []. ok is false for anything else.
// The top level must be a mapping, returned as the JSON decoder of the
// decoder's other path (sigs.k8s.io/json, ints preserved) returns it
// from the document's JSON: map[string]any, []any, string, int64, bool
// and nil; the decoder then needs no JSON for a valid object.
func simpleYAMLValue(data []byte) (map[string]any, bool) {
	p := &yamlParser{}
	if !p.lines(data) || len(p.ls) == 0 {
		return nil, false
	}
	if isSeqEntry(p.ls[0].text) {
		return nil, false
	}
	m, ok := p.mapping(p.ls[0].indent, "")
	if !ok || p.i != len(p.ls) {
		return nil, false
	}
	return m, true
}

type simpleLine struct {
	indent int
	text   string // without indentation; never empty
}

type yamlParser struct {
	ls []simpleLine
	i  int
}

// lines splits data into content lines, dropping blank and comment lines.
// Anything but printable ASCII (go-yaml checks every character, comments
// included) and trailing spaces are left to go-yaml.
func (p *yamlParser) lines(data []byte) bool {
	n := 0
	for _, c := range data {
		if (c < 0x20 && c != '\n') || c > 0x7e {
			return false
		}
		if c == '\n' {
			n++
		}
	}
	p.ls = make([]simpleLine, 0, n+1)
	s := string(data)
	for s != "" {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		text := strings.TrimLeft(line, " ")
		if text == "" || text[0] == '#' {
			continue
		}
		if text[len(text)-1] == ' ' {
			return false
		}
		p.ls = append(p.ls, simpleLine{indent: len(line) - len(text), text: text})
	}
	return true
}

// block reads the mapping or sequence whose lines start at column indent.
func (p *yamlParser) block(indent int) (any, bool) {
	if p.i >= len(p.ls) || p.ls[p.i].indent != indent {
		return nil, false
	}
	if isSeqEntry(p.ls[p.i].text) {
		return p.sequence(indent)
	}
	return p.mapping(indent, "")
}

func isSeqEntry(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// mapping reads entries at column indent; first, if set, is the text of
// the first entry, which follows "- " on a sequence line.
func (p *yamlParser) mapping(indent int, first string) (map[string]any, bool) {
	m := map[string]any{}
	for {
		var text string
		if first != "" {
			text, first = first, ""
		} else {
			if p.i >= len(p.ls) || p.ls[p.i].indent != indent || isSeqEntry(p.ls[p.i].text) {
				break
			}
			text = p.ls[p.i].text
		}
		p.i++
		key, rest, ok := splitKey(text)
		if !ok {
			return nil, false
		}
		if _, dup := m[key]; dup {
			return nil, false
		}
		var v any
		if rest != "" {
			v, ok = scalar(rest)
		} else {
			v, ok = p.nested(indent)
		}
		if !ok {
			return nil, false
		}
		m[key] = v
	}
	if p.i < len(p.ls) && p.ls[p.i].indent > indent {
		return nil, false
	}
	return m, true
}

// nested reads the value of a key written alone on its line: a deeper
// block, a sequence at the key's own column, or else null.
func (p *yamlParser) nested(indent int) (any, bool) {
	if p.i >= len(p.ls) {
		return nil, true
	}
	next := p.ls[p.i]
	switch {
	case next.indent > indent:
		return p.block(next.indent)
	case next.indent == indent && isSeqEntry(next.text):
		return p.sequence(indent)
	}
	return nil, true
}

// sequence reads "- " entries at column indent.
func (p *yamlParser) sequence(indent int) ([]any, bool) {
	s := []any{}
	for p.i < len(p.ls) && p.ls[p.i].indent == indent && isSeqEntry(p.ls[p.i].text) {
		text := p.ls[p.i].text
		rest := strings.TrimLeft(strings.TrimPrefix(text, "-"), " ")
		if rest == "" || isSeqEntry(rest) {
			return nil, false
		}
		col := indent + len(text) - len(rest)
		var item any
		var ok bool
		if _, _, isKey := splitKey(rest); isKey {
			item, ok = p.mapping(col, rest)
		} else {
			p.i++
			item, ok = scalar(rest)
		}
		if !ok {
			return nil, false
		}
		s = append(s, item)
	}
	if p.i < len(p.ls) && p.ls[p.i].indent > indent {
		return nil, false
	}
	return s, true
}

// splitKey splits "key: value" or "key:" where key is a plain string.
func splitKey(text string) (key, rest string, ok bool) {
	i := strings.IndexByte(text, ':')
	if i <= 0 {
		return "", "", false
	}
	key, rest = text[:i], text[i+1:]
	if rest != "" {
		if rest[0] != ' ' {
			return "", "", false
		}
		rest = strings.TrimLeft(rest, " ")
	}
	if !plainString(key, false) {
		return "", "", false
	}
	return key, rest, true
}

// scalar reads a value written on the same line as its key or dash.
func scalar(s string) (any, bool) {
	switch s {
	case "{}":
		return map[string]any{}, true
	case "[]":
		return []any{}, true
	case "true":
		return true, true
	case "false":
		return false, true
	case "null", "~":
		return nil, true
	}
	switch s[0] {
	case '"', '\'':
		if len(s) < 2 || s[len(s)-1] != s[0] {
			return nil, false
		}
		body := s[1 : len(s)-1]
		for i := 0; i < len(body); i++ {
			if c := body[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\'' || c == '\\' {
				return nil, false
			}
		}
		return body, true
	}
	if decimalInt(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if plainString(s, true) || dottedNumbers(s) {
		return s, true
	}
	return nil, false
}

// dottedNumbers reports whether s is an address or version such as
// "10.1.0.2", "1.2.3" or "10.1.0.2:8080": with two dots or more it is no
// integer, float or timestamp (which needs a "-"), so YAML reads a string.
func dottedNumbers(s string) bool {
	host, port, hasPort := strings.Cut(s, ":")
	if hasPort && !allDigits(port) {
		return false
	}
	parts := strings.Split(host, ".")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if !allDigits(p) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// yamlWords are the plain scalars that YAML 1.1 (go-yaml v2) reads as
// booleans, null, infinities, NaN or a merge key.
var yamlWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE
		off Off OFF ~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF <<`) {
		yamlWords[w] = true
	}
}

// plainString reports whether s, unquoted, can only be the string s: it
// starts with a letter or "/" (or, in a value, "^" as regular expressions
// do), so it is no number, timestamp or indicator, and is not one of
// yamlWords. A key holds only letters, digits, ".", "_", "/" and "-". A
// value (inner) may hold any printable ASCII but "#", with single spaces
// between words and colons followed by neither space nor the end
// ("http://a:80/b"): in a block, only ": " and " #" end a plain scalar.
func plainString(s string, inner bool) bool {
	if s == "" || yamlWords[s] {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '^' && inner) {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '/', c == '-':
		case !inner:
			return false
		case c == ' ':
			if s[i-1] == ' ' || i == len(s)-1 {
				return false
			}
		case c == ':':
			if i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		case c == '#' || c < 0x20 || c > 0x7e:
			return false
		}
	}
	return true
}

// decimalInt reports whether s is an integer YAML reads as itself: no
// sign other than "-", no leading zero (octal), short enough for int64.
func decimalInt(s string) bool {
	d := strings.TrimPrefix(s, "-")
	if d == "" || len(d) > 18 || (d[0] == '0' && (len(d) > 1 || d != s)) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}
