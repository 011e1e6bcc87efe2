package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

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
// JSON, keys sorted, as encoding/json and go-yaml print maps. The JSON of
// a resource is printed straight from the message (protoJSONWriter).

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
	return writeXDSWith(w, fleets, format, true)
}

// writeXDSWith prints JSON through protojson unless direct; tests compare
// the two.
func writeXDSWith(w io.Writer, fleets []xdsFleet, format string, direct bool) error {
	r := &xdsRenderer{yaml: format != "json", multi: len(fleets) > 1, direct: direct}
	return r.printFleets(w, fleets)
}

func (r *xdsRenderer) printFleets(w io.Writer, fleets []xdsFleet) error {
	var p xdsPlan
	if r.yaml {
		r.planYAML(&p, fleets)
	} else {
		r.planJSON(&p, fleets)
	}
	return r.print(w, p.done())
}

type xdsRenderer struct {
	yaml bool
	// multi: several JSON documents are printed as one array, which
	// indents every document one level deeper.
	multi bool
	// direct: print with protoJSONWriter rather than protojson.
	direct bool
	// blockSize, if set, replaces the constant: tests cut often.
	blockSize int
}

// xdsPiece is text to print, then a resource of side.key if msg is set.
type xdsPiece struct {
	text      string
	msg       proto.Message
	side, key string
}

// xdsPlan lists the output as pieces, so that resources can be rendered
// in parallel and printed in order.
type xdsPlan struct {
	pieces []xdsPiece
	text   []byte
}

func (p *xdsPlan) WriteString(s string) { p.text = append(p.text, s...) }

// resource ends a piece; the text between two resources of a group is
// the same each time and is kept once.
func (p *xdsPlan) resource(m proto.Message, side, key string) {
	var text string
	if n := len(p.pieces); n > 0 && p.pieces[n-1].text == string(p.text) {
		text = p.pieces[n-1].text
	} else {
		text = string(p.text)
	}
	p.pieces = append(p.pieces, xdsPiece{text: text, msg: m, side: side, key: key})
	p.text = p.text[:0]
}

func (p *xdsPlan) done() []xdsPiece {
	if len(p.text) > 0 {
		p.pieces = append(p.pieces, xdsPiece{text: string(p.text)})
	}
	return p.pieces
}

// appendPiece renders p. JSON is printed straight from the message, and
// YAML from the value read back from that JSON; either goes the old way
// where the direct writer does not cover the message.
func (r *xdsRenderer) appendPiece(b []byte, pw *protoJSONWriter, p xdsPiece) ([]byte, error) {
	b = append(b, p.text...)
	if p.msg == nil {
		return b, nil
	}
	if r.direct && r.yaml {
		if v, err := pw.tree(p.msg); err == nil {
			it, err := yamlEntry(p.side, p.key, v)
			return append(b, it...), err
		}
	}
	if r.direct && !r.yaml {
		mk := pw.mark(b)
		out, err := pw.appendMessage(b, p.msg, r.resourceDepth())
		if err == nil {
			return out, nil
		}
		b = pw.rollback(b, mk)
	}
	it, err := r.render(p.msg, p.side, p.key)
	return append(b, it...), err
}

func (r *xdsRenderer) resourceDepth() int {
	if r.multi {
		return 4
	}
	return 3
}

// render prints one resource the old way, through protojson: for JSON,
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
	return appendIndentedJSON(make([]byte, 0, 2*len(b)), v, r.resourceDepth()), nil
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

func (r *xdsRenderer) planJSON(w *xdsPlan, fleets []xdsFleet) {
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
			r.planJSONSide(w, side, [2][]xdsGroup{fl.envoy, fl.grpc}[s])
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

func (r *xdsRenderer) planJSONSide(w *xdsPlan, side string, groups []xdsGroup) {
	if len(groups) == 0 {
		w.WriteString("{}")
		return
	}
	w.WriteString("{\n")
	for g, gr := range groups {
		w.WriteString(r.jsonIndent(2) + `"` + gr.key + "\": [\n")
		for i, m := range gr.msgs {
			w.WriteString(r.jsonIndent(3))
			w.resource(m, side, gr.key)
			if i < len(gr.msgs)-1 {
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

func (r *xdsRenderer) planYAML(w *xdsPlan, fleets []xdsFleet) {
	for f, fl := range fleets {
		if f > 0 {
			w.WriteString("---\n")
		}
		for s, side := range [2]string{"envoy", "grpc"} {
			if s == 1 {
				fleet, _ := yamlv2.Marshal(map[string]string{"fleet": fl.name})
				w.WriteString(string(fleet))
			}
			groups := [2][]xdsGroup{fl.envoy, fl.grpc}[s]
			if len(groups) == 0 {
				w.WriteString(side + ": {}\n")
				continue
			}
			w.WriteString(side + ":\n")
			for _, gr := range groups {
				w.WriteString("  " + gr.key + ":\n")
				for _, m := range gr.msgs {
					w.resource(m, side, gr.key)
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
