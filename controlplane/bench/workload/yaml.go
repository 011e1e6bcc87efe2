package workload

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"sigs.k8s.io/yaml"
)

// WriteYAML writes every object of the workload as one multi-document
// manifest, in the order a person would write them (class, namespaces,
// gateways, backends, routes), without status.
func (w *Workload) WriteYAML(out io.Writer) error {
	bw := bufio.NewWriter(out)
	for _, o := range w.objects() {
		doc, err := manifest(o)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(bw, "---\n%s", doc); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteYAMLFile writes the manifest to path.
func (w *Workload) WriteYAMLFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := w.WriteYAML(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// objects lists every object in the registered kinds' order (classes and
// namespaces before the objects that refer to them).
func (w *Workload) objects() []any {
	var out []any
	w.Resources.Walk(func(_ resource.Key, o resource.Object) bool {
		out = append(out, o)
		return true
	})
	return out
}

// manifest drops what a person never writes: the empty status and the null
// creationTimestamp that Go's zero values would otherwise emit.
func manifest(o any) ([]byte, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return yaml.Marshal(m)
}
