package validation

import (
	"bytes"
	"fmt"
	"io/fs"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A CRD file is decoded twice over, cheaply each time: New decodes it
// without its schemas (crdHeader), which is all lookups need, and building
// a kind decodes the file with only the kind's version in spec.versions
// (crdVersion). The schemas are nearly all of a file, every version has
// its own, and a run rarely uses more than one version of a CRD.

// newCRDKinds lists the served versions of each CRD file in fsys (a
// directory of *.yaml files) as kinds to be built on first use.
func newCRDKinds(fsys fs.FS) ([]*crdKind, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*crdKind
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		crd, err := crdHeader(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i := range crd.Spec.Versions {
			ver := &crd.Spec.Versions[i]
			if !ver.Served {
				continue
			}
			out = append(out, &crdKind{
				gvk:        schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind},
				crdName:    crd.Name,
				namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
				hasStatus:  ver.Subresources != nil && ver.Subresources.Status != nil,
				src:        crdSource{fsys: fsys, name: name, version: i},
			})
		}
	}
	return out, nil
}

// crdSource is where a kind's CRD version is: the file, and the index of
// the version in its spec.versions.
type crdSource struct {
	fsys    fs.FS
	name    string
	version int
}

// build compiles the kind's validators from its version of the CRD.
func (k *crdKind) build() error {
	data, err := fs.ReadFile(k.src.fsys, k.src.name)
	if err != nil {
		return err
	}
	ver, err := crdVersion(data, k.src.version, k.gvk.Version)
	if err != nil {
		return fmt.Errorf("%s: %w", k.src.name, err)
	}
	return k.compile(ver)
}

// crdVersion decodes version index (named name) of the CRD in data. It
// decodes the file with only that entry in spec.versions when it can split
// the list (see splitVersions), the whole file otherwise; a test checks
// that the results are equal for every embedded file.
func crdVersion(data []byte, index int, name string) (*apiextensionsv1.CustomResourceDefinitionVersion, error) {
	if head, items, tail, ok := splitVersions(data); ok && index < len(items) {
		doc := make([]byte, 0, len(head)+len(items[index])+len(tail))
		doc = append(append(append(doc, head...), items[index]...), tail...)
		crd, err := parseCRD(doc)
		if err == nil && len(crd.Spec.Versions) == 1 && crd.Spec.Versions[0].Name == name {
			return &crd.Spec.Versions[0], nil
		}
	}
	crd, err := parseCRD(data)
	if err != nil {
		return nil, err
	}
	for i := range crd.Spec.Versions {
		if ver := &crd.Spec.Versions[i]; ver.Name == name {
			return ver, nil
		}
	}
	return nil, fmt.Errorf("version %s not found", name)
}

// splitVersions cuts a CRD in block-style YAML, as generators write it,
// into the text before the entries of its spec.versions list (head, which
// holds the "versions:" line), each entry, and the text after the list.
// It goes by indentation: an entry starts with "- " at the indentation of
// the first one and holds the lines indented deeper; blank and comment
// lines never end one. ok is false when the text has no such list.
func splitVersions(data []byte) (head []byte, items [][]byte, tail []byte, ok bool) {
	keyIndent, dashIndent := -1, -1
	var starts []int // of the entries
	end := len(data)
	for pos := 0; pos < len(data) && end == len(data); {
		line := nextLine(data[pos:])
		start := pos
		pos += len(line)
		indent, text := indentation(line)
		switch {
		case keyIndent < 0:
			if string(text) == "versions:" {
				keyIndent = indent
			}
		case len(text) == 0 || text[0] == '#':
		case dashIndent < 0:
			if indent < keyIndent || !bytes.HasPrefix(text, []byte("- ")) {
				return nil, nil, nil, false
			}
			dashIndent = indent
			starts = append(starts, start)
		case indent == dashIndent && bytes.HasPrefix(text, []byte("- ")):
			starts = append(starts, start)
		case indent <= dashIndent:
			end = start
		}
	}
	if len(starts) == 0 {
		return nil, nil, nil, false
	}
	for i, start := range starts {
		next := end
		if i+1 < len(starts) {
			next = starts[i+1]
		}
		items = append(items, data[start:next])
	}
	return data[:starts[0]], items, data[end:], true
}

// crdHeader decodes a CRD without its versions' schemas. Each "schema:"
// key alone on its line is dropped with every line indented deeper than
// it (the block holding its value). The result equals the fully decoded
// CRD with the schemas left out; a test checks that on every embedded file.
func crdHeader(data []byte) (*apiextensionsv1.CustomResourceDefinition, error) {
	out := make([]byte, 0, 4096)
	skipIndent := -1
	for len(data) > 0 {
		line := nextLine(data)
		data = data[len(line):]
		indent, text := indentation(line)
		if skipIndent >= 0 {
			if len(text) == 0 || indent > skipIndent {
				continue
			}
			skipIndent = -1
		}
		if string(text) == "schema:" {
			skipIndent = indent
			continue
		}
		out = append(out, line...)
	}
	return parseCRD(out)
}

// nextLine is data's first line, with its newline.
func nextLine(data []byte) []byte {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return data[:i+1]
	}
	return data
}

// indentation is the number of leading spaces of line and the rest of it,
// without trailing blanks.
func indentation(line []byte) (int, []byte) {
	text := bytes.TrimLeft(line, " ")
	return len(line) - len(text), bytes.TrimRight(text, " \r\n")
}
