package resource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	sigsjson "sigs.k8s.io/json"
)

// Validator checks one object beyond what decoding and the built-in checks
// cover: for example against its CRD's OpenAPI schema and CEL rules, as the
// Kubernetes API server does. It sees the object as written, as the API
// server would (a JSON map whose whole numbers are int64), after strict
// decoding has found no unknown field or wrong type, with apiVersion made
// canonical and metadata.namespace defaulted. It returns the object to keep,
// typically with the schema's defaults applied (nil keeps the input), and
// errors whose paths are relative to the object ("spec.rules[0]"); the
// decoder adds file, document and line.
type Validator interface {
	Validate(obj map[string]any) (map[string]any, field.ErrorList)
}

// ValidatorFunc adapts a function to Validator.
type ValidatorFunc func(obj map[string]any) (map[string]any, field.ErrorList)

// Validate calls f.
func (f ValidatorFunc) Validate(obj map[string]any) (map[string]any, field.ErrorList) { return f(obj) }

// Skipped counts the documents whose kind this control plane does not handle,
// by "apiVersion Kind" (e.g. "apps/v1 Deployment"). They are not errors: a
// manifest may well mix Gateway API objects with the workloads behind them.
type Skipped map[string]int

// Merge adds the counts of o to s.
func (s Skipped) Merge(o Skipped) {
	for k, n := range o {
		s[k] += n
	}
}

// Decoder decodes manifests. The zero value is ready to use; a Decoder is
// safe for concurrent use if its Validator is.
type Decoder struct {
	// Validator, if set, is run on every object that decodes cleanly.
	Validator Validator
}

// Decode decodes data with a zero Decoder.
func Decode(data []byte, file string) (*Resources, Skipped, []error) {
	return (&Decoder{}).Decode(data, file)
}

// Decode reads multi-document YAML or JSON (JSON is YAML): each document is
// an object, a List (kind "List" or "<Kind>List", with items), or a JSON
// array of objects. file names the input in errors. It returns the objects
// that decoded and passed every check, the kinds it skipped, and one *Error
// per problem; an object with any problem is left out.
func (d *Decoder) Decode(data []byte, file string) (*Resources, Skipped, []error) {
	st := &decodeState{
		dec: d, file: file,
		res: &Resources{}, skipped: Skipped{}, seen: map[Key]*location{},
	}
	docs := splitDocuments(data)
	if !st.documentsInParallel(docs) {
		for _, doc := range docs {
			st.document(doc)
		}
	}
	return st.res, st.skipped, st.errs
}

type decodeState struct {
	dec     *Decoder
	file    string
	res     *Resources
	skipped Skipped
	errs    []error
	seen    map[Key]*location
	// pending, when set, collects the objects that passed instead of
	// adding them: documents decoded in parallel are added in order.
	pending *[]pendingAdd
}

func (st *decodeState) fail(errs ...error) { st.errs = append(st.errs, errs...) }

func (st *decodeState) document(doc *document) {
	loc := &location{file: st.file, doc: doc, item: -1}
	if obj := doc.takeObject(st.dec.Validator != nil); obj != nil {
		st.object(loc, &input{obj: obj, doc: doc}, "", "")
		return
	}
	js, err := doc.toJSON()
	if err != nil {
		st.fail(yamlError(loc, err))
		return
	}
	js = bytes.TrimSpace(js)
	switch {
	case len(js) == 0 || string(js) == "null":
	case js[0] == '{':
		st.object(loc, &input{raw: js}, "", "")
	case js[0] == '[':
		st.items(loc, js, "", "", "")
	default:
		st.fail(loc.errorf("expected an object with apiVersion and kind, got %s", jsonKind(js)))
	}
}

// yamlLine finds the document-relative line sigs.k8s.io/yaml puts in its
// messages, so that it can be made file-relative.
var yamlLine = regexp.MustCompile(`^(?:error converting YAML to JSON: )?yaml: (?:unmarshal errors:\s*)?line (\d+): `)

func yamlError(loc *location, err error) error {
	e := loc.errorf("%s", err.Error())
	if m := yamlLine.FindStringSubmatch(e.Detail); m != nil {
		n, _ := strconv.Atoi(m[1])
		e.Line = loc.doc.line + n - 1
		e.Detail = "invalid YAML: " + e.Detail[len(m[0]):]
	} else {
		e.Detail = "invalid YAML: " + strings.TrimPrefix(strings.TrimPrefix(e.Detail, "error converting YAML to JSON: "), "yaml: ")
	}
	return e
}

// header is what the decoder needs to know before it picks a Go type.
type header struct {
	apiVersion, kind, name, namespace string
}

// readHeader reads apiVersion, kind and metadata leniently: a wrong type there
// is reported for apiVersion and kind, and by strict decoding for metadata.
func readHeader(raw []byte) (header, field.ErrorList) {
	var top struct {
		APIVersion json.RawMessage `json:"apiVersion"`
		Kind       json.RawMessage `json:"kind"`
		Metadata   json.RawMessage `json:"metadata"`
	}
	var meta struct {
		Name      any `json:"name"`
		Namespace any `json:"namespace"`
	}
	var h header
	var errs field.ErrorList
	// Case-sensitive, as the API server reads keys: "Kind" is not "kind".
	_ = sigsjson.UnmarshalCaseSensitivePreserveInts(raw, &top)
	_ = sigsjson.UnmarshalCaseSensitivePreserveInts(top.Metadata, &meta)
	h.name, _ = meta.Name.(string)
	h.namespace, _ = meta.Namespace.(string)
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{{"apiVersion", top.APIVersion, &h.apiVersion}, {"kind", top.Kind, &h.kind}} {
		if len(f.raw) > 0 && string(f.raw) != "null" && json.Unmarshal(f.raw, f.dst) != nil {
			errs = append(errs, field.Invalid(field.NewPath(f.name), string(f.raw), "must be a string"))
		}
	}
	return h, errs
}

// input is one object to decode: its JSON, or the map the fast YAML
// reader made of doc, whose JSON is only made when the straightforward
// path or an error message needs it.
type input struct {
	raw []byte
	obj map[string]any
	doc *document
}

// json returns the object as JSON: for a map from the fast reader, the
// document read again and printed, which is the JSON the map would have
// been decoded from (the map itself may have been handed over and changed).
func (in *input) json() []byte {
	if in.raw == nil {
		js, _ := in.doc.toJSON()
		in.raw = bytes.TrimSpace(js)
	}
	return in.raw
}

// object decodes one object; defAPIVersion and defKind come from a typed
// list (e.g. HTTPRouteList), whose items may leave them out.
func (st *decodeState) object(loc *location, in *input, defAPIVersion, defKind string) {
	m := in.obj
	if m == nil {
		m = st.objectMap(in.raw)
	}
	h, herrs := headerFrom(m, in.json)
	loc.kind, loc.name, loc.namespace = h.kind, h.name, h.namespace
	if len(herrs) > 0 {
		st.fail(loc.fromFieldErrors(herrs)...)
		return
	}
	if h.apiVersion == "" && h.kind == "" {
		h.apiVersion, h.kind, loc.kind = defAPIVersion, defKind, defKind
	}
	gv, errs := st.groupVersion(h)
	if len(errs) > 0 {
		st.fail(loc.fromFieldErrors(errs)...)
		return
	}
	if itemKind, ok := listItemKind(gv.Group, h.kind); ok {
		if loc.item >= 0 {
			st.fail(loc.errorf("a %s cannot hold another list", defKindOr(defKind, "List")))
			return
		}
		st.items(loc, in.json(), "items", h.apiVersion, itemKind)
		return
	}
	ki := lookupKind(gv.Group, h.kind)
	if ki == nil {
		st.skipped[h.apiVersion+" "+h.kind]++
		return
	}
	if !ki.acceptsVersion(gv.Version) {
		st.fail(loc.fieldError("apiVersion", field.NotSupported(field.NewPath("apiVersion"), h.apiVersion, ki.apiVersions()).ErrorBody()))
		return
	}
	if ki.namespaced && loc.namespace == "" {
		loc.namespace = DefaultNamespace
	}
	st.typed(loc, ki, in, m)
}

func defKindOr(kind, def string) string {
	if kind != "" {
		return kind + "List"
	}
	return def
}

func (st *decodeState) groupVersion(h header) (schema.GroupVersion, field.ErrorList) {
	var errs field.ErrorList
	if h.apiVersion == "" {
		errs = append(errs, field.Required(field.NewPath("apiVersion"), ""))
	}
	if h.kind == "" {
		errs = append(errs, field.Required(field.NewPath("kind"), ""))
	}
	if len(errs) > 0 {
		return schema.GroupVersion{}, errs
	}
	gv, err := schema.ParseGroupVersion(h.apiVersion)
	if err != nil || gv.Version == "" {
		return gv, field.ErrorList{field.Invalid(field.NewPath("apiVersion"), h.apiVersion, "must be \"group/version\", or \"version\" for the core group")}
	}
	return gv, nil
}

// listItemKind reports whether kind is a list: "List" (items carry their own
// kinds) or "<Kind>List" for a kind this decoder knows.
func listItemKind(group, kind string) (string, bool) {
	if kind == "List" {
		return "", true
	}
	item, ok := strings.CutSuffix(kind, "List")
	return item, ok && item != "" && lookupKind(group, item) != nil
}

// items decodes the objects of a list; key is "items" for a List object and
// "" for a bare JSON/YAML array.
func (st *decodeState) items(loc *location, raw []byte, key, apiVersion, kind string) {
	var list []json.RawMessage
	if key == "" {
		_ = json.Unmarshal(raw, &list)
	} else {
		var obj map[string]json.RawMessage
		_ = json.Unmarshal(raw, &obj)
		if v, ok := obj[key]; ok && string(v) != "null" {
			if json.Unmarshal(v, &list) != nil {
				st.fail(loc.fieldError(key, "Invalid value: expected an array of objects, got "+jsonKind(v)))
				return
			}
		}
	}
	for i, item := range list {
		iloc := &location{file: loc.file, doc: loc.doc, item: i, prefix: fmt.Sprintf("%s[%d]", key, i)}
		item = bytes.TrimSpace(item)
		if len(item) == 0 || item[0] != '{' {
			st.fail(iloc.errorf("expected an object with apiVersion and kind, got %s", jsonKind(item)))
			continue
		}
		st.object(iloc, &input{raw: item}, apiVersion, kind)
	}
}

// typed strictly decodes in into the Go type of ki and checks the result;
// m, if not nil, is in decoded for the Validator.
func (st *decodeState) typed(loc *location, ki *kindInfo, in *input, m map[string]any) {
	obj, ok := st.validatedFirst(ki, &m)
	var verrs field.ErrorList
	if !ok {
		if obj, verrs, ok = st.strictThenValidate(loc, ki, in.json(), m); !ok {
			return
		}
	}
	errs := append(verrs, withoutFields(checkObject(ki, obj), verrs)...)
	if len(errs) > 0 {
		st.fail(loc.fromFieldErrors(errs)...)
		return
	}
	// An API server starts every object at generation 1; manifests from
	// files get the same, so that status can carry observedGeneration.
	if obj.GetGeneration() == 0 {
		obj.SetGeneration(1)
	}
	p := pendingAdd{loc: loc, ki: ki, obj: obj, afterErrs: len(st.errs)}
	if st.pending != nil {
		*st.pending = append(*st.pending, p)
		return
	}
	st.add(p)
}

// add keeps a checked object unless an earlier document defined it.
func (st *decodeState) add(p pendingAdd) {
	key := Key{Kind: p.ki.kind, Namespace: p.obj.GetNamespace(), Name: p.obj.GetName()}
	if first, dup := st.seen[key]; dup {
		st.fail(p.loc.errorf("already defined in %s; this definition is ignored", first.where()))
		return
	}
	st.seen[key] = p.loc
	p.ki.add(st.res, p.obj)
}

// strict decodes raw into a new object of ki, rejecting unknown fields and
// wrong types, and sets its canonical type and default namespace.
func (st *decodeState) strict(loc *location, ki *kindInfo, raw []byte) (Object, bool) {
	obj, strictErrs, err := strictDecode(ki, raw)
	if err != nil {
		st.fail(typeError(loc, raw, err))
		return nil, false
	}
	for _, se := range strictErrs {
		st.fail(strictError(loc, se))
	}
	if len(strictErrs) > 0 {
		return nil, false
	}
	return obj, true
}

// strictDecode is strict without the reporting.
func strictDecode(ki *kindInfo, raw []byte) (Object, []error, error) {
	obj := ki.newObject()
	strictErrs, err := sigsjson.UnmarshalStrict(raw, obj)
	if err != nil || len(strictErrs) > 0 {
		return nil, strictErrs, err
	}
	return decoded(ki, obj), nil, nil
}

// decoded sets the canonical type and default namespace of a new object.
func decoded(ki *kindInfo, obj Object) Object {
	obj.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{Group: ki.group, Version: ki.versions[0], Kind: ki.kind})
	if ki.namespaced && obj.GetNamespace() == "" {
		obj.SetNamespace(DefaultNamespace)
	}
	return obj
}

// decodeOutput strictly decodes the Validator's output into a new object
// of ki: from the map itself when decodeMap can, which gives what decoding
// its JSON gives, else from its JSON. ok is false where that fails.
func decodeOutput(ki *kindInfo, out map[string]any) (Object, bool) {
	if typed := ki.newObject(); decodeMap(out, typed) {
		return decoded(ki, typed), true
	}
	js, err := marshalJSON(out)
	if err != nil {
		return nil, false
	}
	typed, strictErrs, err := strictDecode(ki, js)
	return typed, err == nil && len(strictErrs) == 0
}

// strictThenValidate strictly decodes raw and, when that succeeds and there
// is a Validator, validates m, raw decoded (nil: decode it again). ok is false when an error was reported and
// the object must be left out; verrs are the Validator's errors, which
// the caller reports together with the built-in checks'.
func (st *decodeState) strictThenValidate(loc *location, ki *kindInfo, raw []byte, m map[string]any) (obj Object, verrs field.ErrorList, ok bool) {
	if obj, ok = st.strict(loc, ki, raw); !ok || st.dec.Validator == nil {
		return obj, nil, ok
	}
	return st.validate(loc, ki, obj, raw, m)
}

// validate runs the Validator on raw, the object as written, and decodes
// what it returns (the object with defaults) in obj's place. ok is false
// when the returned object cannot be decoded, which is reported.
func (st *decodeState) validate(loc *location, ki *kindInfo, obj Object, raw []byte, m map[string]any) (Object, field.ErrorList, bool) {
	if m == nil {
		if err := utiljson.Unmarshal(raw, &m); err != nil {
			st.fail(loc.errorf("cannot prepare object for validation: %v", err))
			return nil, nil, false
		}
	}
	m["apiVersion"], m["kind"] = ki.apiVersion(), ki.kind
	if ki.namespaced {
		if meta, ok := m["metadata"].(map[string]any); ok {
			meta["namespace"] = obj.GetNamespace()
		}
	}
	out, errs := st.dec.Validator.Validate(m)
	if len(errs) > 0 || out == nil {
		return obj, errs, true
	}
	if typed, ok := decodeOutput(ki, out); ok {
		return typed, nil, true
	}
	// Decoded again only to report why it fails.
	js, err := json.Marshal(out)
	if err != nil {
		st.fail(loc.errorf("validator returned an object that cannot be encoded: %v", err))
		return nil, nil, false
	}
	obj, ok := st.strict(loc, ki, js)
	return obj, nil, ok
}

// withoutFields drops the errors of errs on fields that other already
// reports: a plugged-in schema validator repeats some built-in checks, and
// its message is the one a Kubernetes user knows.
func withoutFields(errs, other field.ErrorList) field.ErrorList {
	if len(other) == 0 {
		return errs
	}
	reported := map[string]bool{}
	for _, e := range other {
		reported[e.Field] = true
	}
	var out field.ErrorList
	for _, e := range errs {
		if !reported[e.Field] {
			out = append(out, e)
		}
	}
	return out
}

// DefaultNamespace is given to namespaced objects that name none, as kubectl does.
const DefaultNamespace = "default"

// jsonKind names the JSON type of a value for messages.
func jsonKind(v []byte) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}
