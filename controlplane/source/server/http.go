package server

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// DefaultMaxBodyBytes is kube-apiserver's limit on a request body.
const DefaultMaxBodyBytes = 3 << 20

// handler serves the Kubernetes-shaped HTTP API over an *API:
//
//	/api/v1[/namespaces/{ns}]/{resource}[/{name}[/status]]
//	/apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/status]]
//	/apply       POST a multi-document YAML/JSON stream (see API.Apply)
//	/api, /apis, /api/v1, /apis/{group}/{version}, /version  discovery
//
// Authentication is not its business; Server wraps it.
type handler struct {
	api     *API
	maxBody int64
	log     *slog.Logger
}

// NewHandler returns the HTTP API for api, without authentication.
// maxBody <= 0 means DefaultMaxBodyBytes.
func NewHandler(api *API, maxBody int64, log *slog.Logger) http.Handler {
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &handler{api: api, maxBody: maxBody, log: log}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/apply":
		h.apply(w, r)
	case p == "/version":
		h.version(w, r)
	case p == "/api" || p == "/apis":
		h.discoveryRoot(w, r)
	case strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/apis/"):
		h.resource(w, r)
	default:
		h.fail(w, r, notFoundPath(p))
	}
}

// request is a resource URL taken apart.
type request struct {
	gv          schema.GroupVersion
	namespace   string
	resource    string
	name        string
	subresource string
}

// parsePath follows kube-apiserver's RequestInfo: after the group/version,
// "namespaces/{ns}/" scopes the rest, except that "namespaces/{name}" and
// "namespaces/{name}/status" are the Namespace object itself.
func parsePath(p string) (request, bool) {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	var req request
	switch {
	case segs[0] == "api" && len(segs) >= 2:
		req.gv, segs = schema.GroupVersion{Version: segs[1]}, segs[2:]
	case segs[0] == "apis" && len(segs) >= 3:
		req.gv, segs = schema.GroupVersion{Group: segs[1], Version: segs[2]}, segs[3:]
	default:
		return req, false
	}
	if len(segs) >= 3 && segs[0] == "namespaces" && !(len(segs) == 3 && segs[2] == "status") {
		req.namespace, segs = segs[1], segs[2:]
	}
	if len(segs) > 3 || req.gv.Version == "" {
		return req, false
	}
	for _, s := range segs {
		if s == "" {
			return req, false
		}
	}
	fields := []*string{&req.resource, &req.name, &req.subresource}
	for i, s := range segs {
		*fields[i] = s
	}
	return req, true
}

func (h *handler) resource(w http.ResponseWriter, r *http.Request) {
	req, ok := parsePath(r.URL.Path)
	if !ok {
		h.fail(w, r, notFoundPath(r.URL.Path))
		return
	}
	if req.resource == "" {
		h.discoveryGroupVersion(w, r, req.gv)
		return
	}
	k, err := h.api.KindFor(req.gv.WithResource(req.resource))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if req.namespace != "" && !k.Namespaced {
		h.fail(w, r, notFoundPath(r.URL.Path))
		return
	}
	switch {
	case req.subresource == "status" && k.HasStatus:
		h.status(w, r, k, req)
	case req.subresource != "":
		h.fail(w, r, notFoundPath(r.URL.Path))
	case req.name == "":
		h.collection(w, r, k, req)
	default:
		h.item(w, r, k, req)
	}
}

func (h *handler) collection(w http.ResponseWriter, r *http.Request, k Kind, req request) {
	q := r.URL.Query()
	switch r.Method {
	case http.MethodGet:
		if err := unsupportedQuery(q, "fieldSelector"); err != nil {
			h.fail(w, r, err)
			return
		}
		opts := ListOptions{LabelSelector: q.Get("labelSelector"), ResourceVersion: q.Get("resourceVersion")}
		if watch, _ := strconv.ParseBool(q.Get("watch")); watch {
			h.watch(w, r, k, req.namespace, opts)
			return
		}
		list, err := h.api.List(r.Context(), k.GroupVersionKind, req.namespace, opts)
		h.respond(w, r, http.StatusOK, list, err)
	case http.MethodPost:
		obj, opts, ok := h.writeRequest(w, r)
		if !ok {
			return
		}
		res, err := h.api.writeMap(r.Context(), k, req.namespace, "", obj, true, opts)
		h.respondWrite(w, r, res, err)
	default:
		h.fail(w, r, methodNotAllowed(k, r.Method, "GET (list, watch) and POST"))
	}
}

func (h *handler) item(w http.ResponseWriter, r *http.Request, k Kind, req request) {
	switch r.Method {
	case http.MethodGet:
		obj, err := h.api.Get(r.Context(), k.GroupVersionKind, req.namespace, req.name)
		h.respond(w, r, http.StatusOK, obj, err)
	case http.MethodPut:
		obj, opts, ok := h.writeRequest(w, r)
		if !ok {
			return
		}
		res, err := h.api.writeMap(r.Context(), k, req.namespace, req.name, obj, false, opts)
		h.respondWrite(w, r, res, err)
	case http.MethodDelete:
		opts, err := h.deleteOptions(w, r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		obj, err := h.api.Delete(r.Context(), k.GroupVersionKind, req.namespace, req.name, opts)
		h.respond(w, r, http.StatusOK, obj, err)
	default:
		h.fail(w, r, methodNotAllowed(k, r.Method, "GET, PUT and DELETE (send the whole object with PUT)"))
	}
}

// status serves the status subresource: readable, but written only by the
// control plane, so that status always says what the translator decided.
func (h *handler) status(w http.ResponseWriter, r *http.Request, k Kind, req request) {
	if r.Method != http.MethodGet {
		h.fail(w, r, &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Code: http.StatusMethodNotAllowed, Reason: metav1.StatusReasonMethodNotAllowed,
			Message: r.Method + " is not allowed on " + k.Resource + "/status: status is written by the control plane only",
			Details: &metav1.StatusDetails{Group: k.Group, Kind: k.Resource, Name: req.name},
		}})
		return
	}
	obj, err := h.api.Get(r.Context(), k.GroupVersionKind, req.namespace, req.name)
	h.respond(w, r, http.StatusOK, obj, err)
}

func methodNotAllowed(k Kind, method, allowed string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusMethodNotAllowed, Reason: metav1.StatusReasonMethodNotAllowed,
		Message: method + " is not supported on " + k.Resource + "." + k.Group + "; use " + allowed,
		Details: &metav1.StatusDetails{Group: k.Group, Kind: k.Resource},
	}}
}

func unsupportedQuery(q map[string][]string, names ...string) error {
	for _, n := range names {
		if _, ok := q[n]; ok {
			return badRequestf("%s is not supported by this server", n)
		}
	}
	return nil
}

// writeRequest reads a PUT or POST: the body and the write options.
func (h *handler) writeRequest(w http.ResponseWriter, r *http.Request) (map[string]any, WriteOptions, bool) {
	opts, err := writeOptions(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, opts, false
	}
	body, err := h.readBody(w, r)
	if err != nil {
		h.fail(w, r, err)
		return nil, opts, false
	}
	obj, err := DecodeObject(body, FormatOf(r.Header.Get("Content-Type")))
	if err != nil {
		h.fail(w, r, apierrors.NewBadRequest(err.Error()))
		return nil, opts, false
	}
	return obj, opts, true
}

func writeOptions(r *http.Request) (WriteOptions, error) {
	q := r.URL.Query()
	var opts WriteOptions
	for _, d := range q["dryRun"] {
		if d != metav1.DryRunAll {
			return opts, badRequestf("dryRun: unsupported value %q: want All", d)
		}
		opts.DryRun = true
	}
	opts.FieldValidation = FieldValidation(q.Get("fieldValidation"))
	return opts, nil
}

func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, apierrors.NewRequestEntityTooLargeError("limit is " + strconv.FormatInt(h.maxBody, 10) + " bytes")
	case err != nil:
		return nil, badRequestf("reading the request body: %v", err)
	}
	return body, nil
}

// deleteOptions reads the optional DeleteOptions body and ?dryRun.
func (h *handler) deleteOptions(w http.ResponseWriter, r *http.Request) (DeleteOptions, error) {
	wo, err := writeOptions(r)
	if err != nil {
		return DeleteOptions{}, err
	}
	opts := DeleteOptions{DryRun: wo.DryRun}
	body, err := h.readBody(w, r)
	if err != nil || len(strings.TrimSpace(string(body))) == 0 {
		return opts, err
	}
	obj, err := DecodeObject(body, FormatOf(r.Header.Get("Content-Type")))
	if err != nil {
		return opts, badRequestf("DeleteOptions: %v", err)
	}
	var do metav1.DeleteOptions
	if err := unstructuredInto(obj, &do); err != nil {
		return opts, badRequestf("DeleteOptions: %v", err)
	}
	if do.Preconditions != nil {
		opts.Preconditions = *do.Preconditions
	}
	for _, d := range do.DryRun {
		if d != metav1.DryRunAll {
			return opts, badRequestf("DeleteOptions.dryRun: unsupported value %q: want All", d)
		}
		opts.DryRun = true
	}
	return opts, nil
}

// unstructuredInto decodes obj into out strictly: a misspelt
// precondition silently ignored would turn a guarded delete into an
// unguarded one.
func unstructuredInto(obj map[string]any, out any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	strict, err := sigsjson.UnmarshalStrict(b, out)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

func (h *handler) apply(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		h.fail(w, r, &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Code: http.StatusMethodNotAllowed, Reason: metav1.StatusReasonMethodNotAllowed,
			Message: r.Method + " is not supported on /apply; POST a YAML or JSON stream of objects",
		}})
		return
	}
	opts, err := writeOptions(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.api.Apply(r.Context(), body, opts)
	if res == nil {
		h.fail(w, r, err)
		return
	}
	code := http.StatusOK
	if err != nil {
		code = int(StatusOf(err).Code)
	}
	h.write(w, r, code, res)
}

func (h *handler) respondWrite(w http.ResponseWriter, r *http.Request, res *WriteResult, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, warn := range res.Warnings {
		w.Header().Add("Warning", `299 - `+strconv.Quote(warn))
	}
	code := http.StatusOK
	if res.Created {
		code = http.StatusCreated
	}
	if res.encoded != nil && !wantsYAML(r) {
		writeBody(w, code, "application/json", res.encoded)
		return
	}
	h.write(w, r, code, res.Object)
}

func (h *handler) respond(w http.ResponseWriter, r *http.Request, code int, obj any, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.write(w, r, code, obj)
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := StatusOf(err)
	if st.Code >= 500 {
		h.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", st.Message)
	}
	h.write(w, r, int(st.Code), st)
}

// write renders obj as JSON, or YAML when the client asks for it.
func (h *handler) write(w http.ResponseWriter, r *http.Request, code int, obj any) {
	var data []byte
	var err error
	if u, ok := obj.(*unstructured.Unstructured); ok {
		obj = u.Object
	}
	if u, ok := obj.(*unstructured.UnstructuredList); ok {
		obj = listObject(u)
	}
	data, err = json.Marshal(obj)
	ct := "application/json"
	if err == nil && wantsYAML(r) {
		data, err = yaml.JSONToYAML(data)
		ct = "application/yaml"
	}
	if err != nil {
		h.log.Error("encoding a response", "error", err)
		code, ct = http.StatusInternalServerError, "application/json"
		data, _ = json.Marshal(StatusOf(err))
	}
	writeBody(w, code, ct, data)
}

func writeBody(w http.ResponseWriter, code int, ct string, data []byte) {
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(data)
}

func listObject(l *unstructured.UnstructuredList) map[string]any {
	out := make(map[string]any, len(l.Object)+1)
	for k, v := range l.Object {
		out[k] = v
	}
	items := make([]any, len(l.Items))
	for i := range l.Items {
		items[i] = l.Items[i].Object
	}
	out["items"] = items
	return out
}

func wantsYAML(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		switch FormatOf(strings.TrimSpace(part)) {
		case FormatYAML:
			return true
		case FormatJSON:
			return false
		}
	}
	return false
}
