package resource

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Error is one problem found in an input file. It names where the problem is
// as precisely as the input allows, so that an operator can find it without
// counting documents by hand.
type Error struct {
	// File is the name the input was given under (a path, or "-" for stdin).
	File string
	// Line is the 1-based line in File the error points at: the offending
	// field when it can be found, else the start of the document; 0 if unknown.
	Line int
	// Document is the 0-based index of the YAML document in File (documents
	// are separated by "---"; a blank preamble before the first "---" is not
	// counted).
	Document int
	// Item is the 0-based index in the items of a List document, or -1.
	Item int
	// Kind, Namespace and Name identify the object, as far as they are known.
	Kind      string
	Namespace string
	Name      string
	// Field is the path of the offending field, e.g.
	// "spec.rules[0].matches[0].path.type"; empty for document-level errors.
	Field string
	// Detail says what is wrong, e.g. `Invalid value: "x": must be ...`.
	Detail string
}

// Error renders as
//
//	routes.yaml:17: document 2 (HTTPRoute default/foo): spec.rules[0].backendRefs[0].port: Invalid value: ...
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	fmt.Fprintf(&b, ": document %d", e.Document)
	if e.Item >= 0 {
		fmt.Fprintf(&b, ", item %d", e.Item)
	}
	if id := e.object(); id != "" {
		b.WriteString(" (" + id + ")")
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Detail)
	return b.String()
}

func (e *Error) object() string {
	name := e.Name
	if e.Namespace != "" {
		name = e.Namespace + "/" + name
	}
	if e.Kind == "" && name != "" {
		return "name " + name
	}
	return strings.TrimSpace(e.Kind + " " + name)
}

// location is where one object sits in its input; it makes Errors.
type location struct {
	file string
	doc  *document
	// item is the index in a list, or -1; prefix is the path of the item
	// from the document root ("items[3]", or "[3]" in a bare array).
	item   int
	prefix string

	kind, namespace, name string
}

func (l *location) errorf(format string, args ...any) *Error {
	return l.fieldError("", fmt.Sprintf(format, args...))
}

// where describes the location for a message about another object.
func (l *location) where() string {
	s := fmt.Sprintf("document %d", l.doc.index)
	if l.item >= 0 {
		s += fmt.Sprintf(", item %d", l.item)
	}
	return s + fmt.Sprintf(" (line %d)", l.doc.lineOf(l.prefix))
}

// fieldError builds an Error for path, pointing its line at the field if the
// YAML source has it.
func (l *location) fieldError(path, detail string) *Error {
	lookup := l.prefix
	if path != "" {
		lookup += "." + path
	}
	return &Error{
		File: l.file, Line: l.doc.lineOf(lookup), Document: l.doc.index, Item: l.item,
		Kind: l.kind, Namespace: l.namespace, Name: l.name,
		Field: path, Detail: detail,
	}
}

// fromFieldErrors converts Kubernetes-style validation errors.
func (l *location) fromFieldErrors(errs field.ErrorList) []error {
	out := make([]error, 0, len(errs))
	for _, fe := range errs {
		out = append(out, l.fieldError(fe.Field, fe.ErrorBody()))
	}
	return out
}
