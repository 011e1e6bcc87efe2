package translator

import "strconv"

// fieldPath is an IR field path such as
// "listeners[0].virtualHosts[1].routes[2].match", spelt out only when an
// error names it. Every step of rendering a route takes its path, and
// building those strings up front (for errors that almost never happen)
// cost a sixth of a large fleet's translation; a fieldPath is a few words
// on the stack that point at the caller's.
type fieldPath struct {
	parent *fieldPath
	// name follows the parent's path after a "." (at the root, it is the
	// whole prefix); index >= 0 appends "[index]".
	name  string
	index int
}

// rootPath is the path s.
func rootPath(s string) fieldPath { return fieldPath{name: s, index: -1} }

// field is p.name; name may hold dots ("action.forward").
func (p *fieldPath) field(name string) fieldPath {
	return fieldPath{parent: p, name: name, index: -1}
}

// item is p.name[i].
func (p *fieldPath) item(name string, i int) fieldPath {
	return fieldPath{parent: p, name: name, index: i}
}

// at is p[i].
func (p *fieldPath) at(i int) fieldPath { return fieldPath{parent: p, index: i} }

func (p *fieldPath) String() string { return string(p.appendTo(nil)) }

// sub is the string of p.name.
func (p *fieldPath) sub(name string) string {
	f := p.field(name)
	return f.String()
}

func (p *fieldPath) appendTo(b []byte) []byte {
	if p.parent != nil {
		b = p.parent.appendTo(b)
		if p.name != "" {
			b = append(b, '.')
		}
	}
	b = append(b, p.name...)
	if p.index >= 0 {
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(p.index), 10)
		b = append(b, ']')
	}
	return b
}
