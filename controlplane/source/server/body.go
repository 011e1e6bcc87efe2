package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Format is how a request body is written.
type Format int

const (
	// FormatAuto sniffs: a body starting with '{' is JSON, anything else YAML.
	FormatAuto Format = iota
	FormatJSON
	FormatYAML
)

// FormatOf maps a Content-Type header to a Format.
func FormatOf(contentType string) Format {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/json":
		return FormatJSON
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		return FormatYAML
	}
	return FormatAuto
}

// DecodeObject decodes a request body holding one object, as the API
// server's decoder does: numbers become int64 or float64, and duplicate
// fields are an error (kube-apiserver rejects them under strict field
// validation, and a body that says one thing twice is a mistake either
// way). Errors say where the problem is.
func DecodeObject(data []byte, f Format) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("request body is empty: want one JSON or YAML object")
	}
	if f == FormatAuto {
		f = sniff(data)
	}
	if f == FormatYAML {
		docs, err := splitYAML(data)
		if err != nil {
			return nil, err
		}
		if len(docs) != 1 {
			return nil, fmt.Errorf("request body holds %d YAML documents: want one object (POST several to /apply)", len(docs))
		}
		j, err := yaml.YAMLToJSONStrict(docs[0])
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %v", err)
		}
		data = j
	}
	return decodeJSONObject(data)
}

func sniff(data []byte) Format {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return FormatJSON
	}
	return FormatYAML
}

func decodeJSONObject(data []byte) (map[string]any, error) {
	var v any
	strict, err := sigsjson.UnmarshalStrict(data, &v, sigsjson.DisallowDuplicateFields)
	if err != nil {
		return nil, jsonError(data, err)
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return nil, fmt.Errorf("invalid JSON: %s", strings.Join(msgs, "; "))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("invalid object: got %s, want a JSON or YAML object (a map with apiVersion, kind, metadata)", typeOfJSON(v))
	}
	return obj, nil
}

// jsonError names the line and column of a syntax error.
func jsonError(data []byte, err error) error {
	if ok, off := sigsjson.SyntaxErrorOffset(err); ok {
		// The offset is just past the offending byte.
		line, col := position(data, off-1)
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, err)
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func typeOfJSON(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// splitYAML splits a multi-document stream, leaving out documents that
// hold nothing but comments and blanks.
func splitYAML(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %v", len(docs), err)
		}
		if !blankYAML(doc) {
			docs = append(docs, doc)
		}
	}
}

func blankYAML(doc []byte) bool {
	for line := range bytes.SplitSeq(doc, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}
