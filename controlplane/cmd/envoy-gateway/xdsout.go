package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	yamlv2 "go.yaml.in/yaml/v2"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// The xDS output of a large configuration is tens of MiB. Building it as
// one tree and handing that to a YAML library costs seconds (go-yaml's
// emitter keeps every event of a document), so each resource is rendered
// on its own, on every CPU, and the documents are assembled around them.
// The bytes are those of rendering each fleet as one document:
//
//	{"envoy": {"clusters": [...], ...}, "fleet": NAME, "grpc": {...}}
//
// with each resource as protojson (proto field names) read back as plain
// JSON, keys sorted, as encoding/json and go-yaml print maps.

// xdsFleet is one fleet's resources, grouped as printed.
type xdsFleet struct {
	name        string
	envoy, grpc []xdsGroup
}

// xdsGroup is one resource type; groups are in key order and never empty.
type xdsGroup struct {
	key  string
	msgs []proto.Message
}

func newXDSFleet(rs *translator.ResourceSet) xdsFleet {
	return xdsFleet{name: rs.Fleet, envoy: xdsGroups(&rs.Envoy), grpc: xdsGroups(&rs.GRPC)}
}

// xdsGroups lists r's resource types in sorted key order.
func xdsGroups(r *translator.Resources) []xdsGroup {
	var gs []xdsGroup
	add := func(key string, n int, at func(int) proto.Message) {
		if n == 0 {
			return
		}
		g := xdsGroup{key: key, msgs: make([]proto.Message, n)}
		for i := range n {
			g.msgs[i] = at(i)
		}
		gs = append(gs, g)
	}
	add("clusters", len(r.Clusters), func(i int) proto.Message { return r.Clusters[i] })
	add("endpoints", len(r.Endpoints), func(i int) proto.Message { return r.Endpoints[i] })
	add("listeners", len(r.Listeners), func(i int) proto.Message { return r.Listeners[i] })
	add("routes", len(r.Routes), func(i int) proto.Message { return r.Routes[i] })
	add("secrets", len(r.Secrets), func(i int) proto.Message { return redactedSecret(r.Secrets[i]) })
	return gs
}

// redactedSecret hides a Secret's private key behind a digest, as
// ResourceSet.YAML does: this output is for people and logs.
func redactedSecret(s *tlsv3.Secret) proto.Message {
	key := s.GetTlsCertificate().GetPrivateKey().GetInlineBytes()
	if len(key) == 0 {
		return s
	}
	out := proto.Clone(s).(*tlsv3.Secret)
	out.GetTlsCertificate().PrivateKey = &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{
		InlineString: ir.PrivateKey(key).String(),
	}}
	return out
}

// writeXDS prints fleets as writeDocuments would print their documents.
func writeXDS(w io.Writer, fleets []xdsFleet, format string) error {
	r := &xdsRenderer{yaml: format != "json", multi: len(fleets) > 1}
	items, err := r.renderAll(fleets)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if r.yaml {
		r.writeYAML(bw, fleets, items)
	} else {
		r.writeJSON(bw, fleets, items)
	}
	return bw.Flush()
}

type xdsRenderer struct {
	yaml bool
	// multi: several JSON documents are printed as one array, which
	// indents every document one level deeper.
	multi bool
}

// renderAll renders every resource in parallel; items[f][side][g][i]
// holds resource i of group g of fleet f's side (0 envoy, 1 grpc).
func (r *xdsRenderer) renderAll(fleets []xdsFleet) ([][2][][][]byte, error) {
	type job struct {
		out  *[]byte
		msg  proto.Message
		side string
		key  string
	}
	var jobs []job
	items := make([][2][][][]byte, len(fleets))
	for f, fl := range fleets {
		for s, groups := range [2][]xdsGroup{fl.envoy, fl.grpc} {
			items[f][s] = make([][][]byte, len(groups))
			for g, gr := range groups {
				items[f][s][g] = make([][]byte, len(gr.msgs))
				for i, m := range gr.msgs {
					jobs = append(jobs, job{&items[f][s][g][i], m, [2]string{"envoy", "grpc"}[s], gr.key})
				}
			}
		}
	}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(jobs) {
					return
				}
				j := jobs[k]
				b, err := r.render(j.msg, j.side, j.key)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				*j.out = b
			}
		})
	}
	wg.Wait()
	return items, firstErr
}

// render prints one resource as it appears in its document: for JSON,
// indented for its depth without the first line's indentation; for
// YAML, the lines of its sequence entry ("  - ...").
func (r *xdsRenderer) render(m proto.Message, side, key string) ([]byte, error) {
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%T: %w", m, err)
	}
	v, err := readJSON(b)
	if err != nil {
		return nil, err
	}
	if r.yaml {
		return yamlEntry(side, key, v)
	}
	depth := 3
	if r.multi {
		depth++
	}
	return appendIndentedJSON(make([]byte, 0, 2*len(b)), v, depth), nil
}

// yamlEntry renders v as the only entry of side.key and cuts the two
// lines naming them: go-yaml prints each block sequence entry from a new
// line at the same column, whatever precedes it, so the entry's lines
// are those it has in the whole document (long strings fold at the same
// columns).
func yamlEntry(side, key string, v any) ([]byte, error) {
	y, err := yamlv2.Marshal(map[string]any{side: map[string]any{key: []any{asYAMLValue(v)}}})
	if err != nil {
		return nil, err
	}
	for range 2 {
		i := bytes.IndexByte(y, '\n')
		if i < 0 {
			return nil, fmt.Errorf("unexpected YAML for %s.%s: %q", side, key, y)
		}
		y = y[i+1:]
	}
	return y, nil
}

func (r *xdsRenderer) jsonIndent(depth int) string {
	if r.multi {
		depth++
	}
	return strings.Repeat("  ", depth)
}

func (r *xdsRenderer) writeJSON(w *bufio.Writer, fleets []xdsFleet, items [][2][][][]byte) {
	if len(fleets) == 0 {
		w.WriteString("null\n")
		return
	}
	if r.multi {
		w.WriteString("[\n")
	}
	for f, fl := range fleets {
		w.WriteString(r.jsonIndent(0))
		w.WriteString("{\n")
		for s, side := range [2]string{"envoy", "grpc"} {
			if s == 1 {
				w.WriteString(r.jsonIndent(1) + `"fleet": ` + jsonString(fl.name) + ",\n")
			}
			w.WriteString(r.jsonIndent(1) + `"` + side + `": `)
			r.writeJSONSide(w, [2][]xdsGroup{fl.envoy, fl.grpc}[s], items[f][s])
			w.WriteString([2]string{",\n", "\n"}[s])
		}
		w.WriteString(r.jsonIndent(0) + "}")
		if r.multi && f < len(fleets)-1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	if r.multi {
		w.WriteString("]\n")
	}
}

func (r *xdsRenderer) writeJSONSide(w *bufio.Writer, groups []xdsGroup, items [][][]byte) {
	if len(groups) == 0 {
		w.WriteString("{}")
		return
	}
	w.WriteString("{\n")
	for g, gr := range groups {
		w.WriteString(r.jsonIndent(2) + `"` + gr.key + "\": [\n")
		for i, it := range items[g] {
			w.WriteString(r.jsonIndent(3))
			w.Write(it)
			if i < len(items[g])-1 {
				w.WriteString(",")
			}
			w.WriteString("\n")
		}
		w.WriteString(r.jsonIndent(2) + "]")
		if g < len(groups)-1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	w.WriteString(r.jsonIndent(1) + "}")
}

// jsonString quotes s as encoding/json does by default (HTML-safe).
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (r *xdsRenderer) writeYAML(w *bufio.Writer, fleets []xdsFleet, items [][2][][][]byte) {
	for f, fl := range fleets {
		if f > 0 {
			w.WriteString("---\n")
		}
		for s, side := range [2]string{"envoy", "grpc"} {
			if s == 1 {
				fleet, _ := yamlv2.Marshal(map[string]string{"fleet": fl.name})
				w.Write(fleet)
			}
			groups := [2][]xdsGroup{fl.envoy, fl.grpc}[s]
			if len(groups) == 0 {
				w.WriteString(side + ": {}\n")
				continue
			}
			w.WriteString(side + ":\n")
			for g, gr := range groups {
				w.WriteString("  " + gr.key + ":\n")
				for _, it := range items[f][s][g] {
					w.Write(it)
				}
			}
		}
	}
}

// asYAMLValue turns the numbers of v, a value read by encoding/json, into
// what go-yaml reads from their JSON text: whole numbers print as
// integers ("100000000", not "1e+08"), as they do after a JSON->YAML
// conversion. Maps and slices are changed in place.
func asYAMLValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = asYAMLValue(e)
		}
	case []any:
		for i, e := range v {
			v[i] = asYAMLValue(e)
		}
	case float64:
		return yamlNumber(v)
	}
	return v
}

// yamlNumber is the value go-yaml resolves from encoding/json's text of f:
// integral values below 1e21 are printed without exponent, and go-yaml
// reads those as int, or uint64 when too large; the rest stay floats.
func yamlNumber(f float64) any {
	if f != math.Trunc(f) || math.Abs(f) >= 1e21 {
		return f
	}
	if math.Abs(f) < 1<<53 {
		return int(f)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(i)
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u
	}
	return f
}
