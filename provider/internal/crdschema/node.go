package crdschema

import (
	encjson "encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NodeKind is how a Terraform attribute holds a schema's values.
type NodeKind int

const (
	String NodeKind = iota
	Int
	Number
	Bool
	JSON // any JSON value, held as JSON text
	Object
	List
	Set
	Map
)

// Node is one attribute: its Terraform name and type, and the JSON field
// it stands for.
type Node struct {
	Name     string // snake_case, as in Terraform
	JSONName string
	Kind     NodeKind
	Elem     *Node   // List, Set, Map
	Attrs    []*Node // Object, sorted by Name
	Required bool
	// Defaulted: the server fills it when it is absent, so it is
	// Optional+Computed and never diffs when left out.
	Defaulted   bool
	Description string
	Enum        []string
	// Default is the CRD's default, decoded from JSON.
	Default any

	byJSON map[string]*Node
	byName map[string]*Node
	tfType tftypes.Type
}

// Build makes the node tree of s, named name in Terraform and json in JSON.
func Build(name, json string, s *Schema) (*Node, error) {
	n := &Node{Name: name, JSONName: json, Description: s.Description, Enum: s.Enum, Defaulted: len(s.Default) > 0}
	if n.Defaulted {
		if err := encjson.Unmarshal(s.Default, &n.Default); err != nil {
			return nil, fmt.Errorf("%s: default: %w", json, err)
		}
	}
	switch s.Type {
	case "string":
		n.Kind = String
	case "integer":
		n.Kind = Int
	case "number":
		n.Kind = Number
	case "boolean":
		n.Kind = Bool
	case TypeJSON:
		n.Kind = JSON
	case "array":
		if s.Items == nil {
			return nil, fmt.Errorf("%s: array without items", json)
		}
		elem, err := Build("", "", s.Items)
		if err != nil {
			return nil, fmt.Errorf("%s[]: %w", json, err)
		}
		n.Elem = elem
		n.Kind = List
		if unordered(json, s) {
			n.Kind = Set
		}
	case "object":
		if err := n.buildObject(s); err != nil {
			return nil, fmt.Errorf("%s.%w", json, err)
		}
	default:
		return nil, fmt.Errorf("%s: type %q not supported", json, s.Type)
	}
	n.tfType = n.computeType()
	return n, nil
}

func (n *Node) buildObject(s *Schema) error {
	if len(s.Properties) == 0 {
		elem := &Schema{Type: "string"}
		if s.AdditionalProperties != nil {
			elem = s.AdditionalProperties
		}
		e, err := Build("", "", elem)
		if err != nil {
			return err
		}
		n.Kind, n.Elem = Map, e
		return nil
	}
	n.Kind = Object
	n.byJSON, n.byName = map[string]*Node{}, map[string]*Node{}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	for json, p := range s.Properties {
		c, err := Build(SnakeCase(json), json, p)
		if err != nil {
			return err
		}
		c.Required = required[json] && !c.Defaulted
		if other, dup := n.byName[c.Name]; dup {
			return fmt.Errorf("%s and %s are both %s in Terraform", json, other.JSONName, c.Name)
		}
		n.byName[c.Name], n.byJSON[json] = c, c
		n.Attrs = append(n.Attrs, c)
	}
	sort.Slice(n.Attrs, func(i, j int) bool { return n.Attrs[i].Name < n.Attrs[j].Name })
	return nil
}

// unordered says whether a list's order means nothing to the API, so that
// Terraform holds it as a set and a reordering is no change: lists the
// CRD calls sets, route hostnames (matched by specificity, not order), and
// keyed lists whose items the server never defaults (a set cannot match
// planned items that still await their defaults).
func unordered(json string, s *Schema) bool {
	switch {
	case s.ListType == "set":
		return true
	case json == "hostnames":
		return s.Items.Type == "string"
	case s.ListType == "map":
		return !hasDefaults(s.Items)
	}
	return false
}

func hasDefaults(s *Schema) bool {
	if s == nil {
		return false
	}
	if len(s.Default) > 0 || hasDefaults(s.Items) || hasDefaults(s.AdditionalProperties) {
		return true
	}
	for _, p := range s.Properties {
		if hasDefaults(p) {
			return true
		}
	}
	return false
}

func (n *Node) computeType() tftypes.Type {
	switch n.Kind {
	case String, JSON:
		return tftypes.String
	case Int, Number:
		return tftypes.Number
	case Bool:
		return tftypes.Bool
	case List:
		return tftypes.List{ElementType: n.Elem.tfType}
	case Set:
		return tftypes.Set{ElementType: n.Elem.tfType}
	case Map:
		return tftypes.Map{ElementType: n.Elem.tfType}
	}
	attrs := map[string]tftypes.Type{}
	for _, a := range n.Attrs {
		attrs[a.Name] = a.tfType
	}
	return tftypes.Object{AttributeTypes: attrs}
}

// Type is the Terraform type of the node's values.
func (n *Node) Type() tftypes.Type { return n.tfType }

// Attr returns the child attribute named name in Terraform.
func (n *Node) Attr(name string) *Node { return n.byName[name] }

// Field returns the child attribute of JSON field json.
func (n *Node) Field(json string) *Node { return n.byJSON[json] }

// SnakeCase turns a JSON field name into a Terraform attribute name:
// backendRefs -> backend_refs, caCertificateRefs -> ca_certificate_refs,
// URLRewrite -> url_rewrite.
func SnakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			nextLower := i > 0 && i+1 < len(r) && unicode.IsUpper(r[i-1]) && unicode.IsLower(r[i+1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}
