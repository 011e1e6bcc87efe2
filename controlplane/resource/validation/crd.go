package validation

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sync"
	"sync/atomic"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// crdFiles holds the Gateway API standard-channel CRDs (copied from the
// gateway-api module by copy-crds.sh) and the project's own CRDs.
//
//go:embed crds/*.yaml
var crdFiles embed.FS

// loadCRDs parses every embedded CRD, defaulted as kube-apiserver stores it.
func loadCRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	names, err := fs.Glob(crdFiles, "crds/*.yaml")
	if err != nil {
		return nil, err
	}
	crds := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(names))
	for _, name := range names {
		data, err := crdFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		crd, err := parseCRD(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		crds = append(crds, crd)
	}
	return crds, nil
}

func parseCRD(data []byte) (*apiextensionsv1.CustomResourceDefinition, error) {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(data, crd); err != nil {
		return nil, err
	}
	if crd.Kind != "CustomResourceDefinition" {
		return nil, fmt.Errorf("kind is %q, want CustomResourceDefinition", crd.Kind)
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd)
	return crd, nil
}

// newCRDKinds lists the served versions of each CRD file in fsys (a
// directory of *.yaml files) as kinds to be built on first use. It reads
// every file but decodes only what lookups need: the schemas, nearly all
// of each file, are left out (see crdHeader) until a kind is built.
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
		src := &crdFile{fsys: fsys, name: name}
		for i := range crd.Spec.Versions {
			ver := &crd.Spec.Versions[i]
			if !ver.Served {
				continue
			}
			src.pending.Add(1)
			out = append(out, &crdKind{
				gvk:        schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind},
				crdName:    crd.Name,
				namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
				hasStatus:  ver.Subresources != nil && ver.Subresources.Status != nil,
				src:        src,
			})
		}
	}
	return out, nil
}

// crdFile is one CRD file, decoded in full once, when the first of its
// kinds is built, and dropped when the last one is.
type crdFile struct {
	fsys    fs.FS
	name    string
	once    sync.Once
	crd     *apiextensionsv1.CustomResourceDefinition
	err     error
	pending atomic.Int32 // kinds of the file not built yet
}

func (f *crdFile) parsed() (*apiextensionsv1.CustomResourceDefinition, error) {
	f.once.Do(func() {
		data, err := fs.ReadFile(f.fsys, f.name)
		if err == nil {
			f.crd, err = parseCRD(data)
		}
		if err != nil {
			f.err = fmt.Errorf("%s: %w", f.name, err)
		}
	})
	return f.crd, f.err
}

// release is called once by each kind of the file when it is built (or
// has failed to build); the last one frees the decoded CRD. The atomic
// counter orders every other kind's use of f.crd before the last one's
// release.
func (f *crdFile) release() {
	if f.pending.Add(-1) == 0 {
		f.crd = nil
	}
}

// crdHeader decodes a CRD without its versions' schemas, which make up
// nearly all of a CRD file and most of the cost of decoding it. Each
// "schema:" key alone on its line is dropped with every line indented
// deeper than it (the block holding its value). The result equals the
// fully decoded CRD with the schemas left out; a test checks that on every
// embedded file.
func crdHeader(data []byte) (*apiextensionsv1.CustomResourceDefinition, error) {
	out := make([]byte, 0, 4096)
	skipIndent := -1
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line = data[:i+1]
		}
		data = data[len(line):]
		text := bytes.TrimLeft(line, " ")
		indent := len(line) - len(text)
		text = bytes.TrimRight(text, " \r\n")
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

// build compiles the kind's structural schema, schema validators and CEL
// programs, as kube-apiserver's CRD handler does when it starts serving
// the CRD.
func (k *crdKind) build() error {
	defer k.src.release()
	crd, err := k.src.parsed()
	if err != nil {
		return err
	}
	for i := range crd.Spec.Versions {
		if ver := &crd.Spec.Versions[i]; ver.Name == k.gvk.Version {
			return k.compile(ver)
		}
	}
	return fmt.Errorf("%s: version %s not found", k.src.name, k.gvk.Version)
}

func (k *crdKind) compile(ver *apiextensionsv1.CustomResourceDefinitionVersion) error {
	if ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
		return fmt.Errorf("no openAPIV3Schema")
	}
	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(ver.Schema, internal, nil); err != nil {
		return fmt.Errorf("converting schema: %w", err)
	}
	structural, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return fmt.Errorf("schema is not structural: %w", err)
	}
	// The server keeps its own copy: NewStructural shares defaults with the
	// input, and PruneDefaults edits them.
	structural = structural.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(structural); err != nil {
		return fmt.Errorf("pruning defaults: %w", err)
	}
	schemaValidator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return fmt.Errorf("building schema validator: %w", err)
	}
	k.structural = structural
	k.schemaValidator = schemaValidator
	// Compiles every CEL rule of the kind, once.
	k.celValidator = cel.NewValidator(structural, true, celconfig.PerCallLimit)
	k.embedded = hasEmbeddedResource(structural)
	if k.hasStatus {
		if st, ok := internal.OpenAPIV3Schema.Properties["status"]; ok {
			if k.statusValidator, _, err = apiservervalidation.NewSchemaValidator(&st); err != nil {
				return fmt.Errorf("building status validator: %w", err)
			}
		}
	}
	return nil
}
