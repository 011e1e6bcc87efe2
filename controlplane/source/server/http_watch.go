package server

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

// watch streams events as newline-delimited JSON objects
// {"type": "ADDED|MODIFIED|DELETED|ERROR", "object": ...}, flushed one by
// one, as kube-apiserver's JSON watch does. A resourceVersion older than
// the retained history answers 410 before the stream starts; falling
// behind later ends the stream with an ERROR event carrying the 410.
func (h *handler) watch(w http.ResponseWriter, r *http.Request, k Kind, namespace string, opts ListOptions) {
	ctx := r.Context()
	if s := r.URL.Query().Get("timeoutSeconds"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			h.fail(w, r, badRequestf("timeoutSeconds: invalid value %q: want a whole number of seconds", s))
			return
		}
		if n > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Duration(n)*time.Second)
			defer cancel()
		}
	}
	events, err := h.api.Watch(ctx, k.GroupVersionKind, namespace, opts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	enc := json.NewEncoder(w)
	for ev := range events {
		var obj any = ev.Status
		if ev.Object != nil {
			obj = ev.Object.Object
		}
		if err := enc.Encode(map[string]any{"type": ev.Type, "object": obj}); err != nil {
			return // the client went away
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// Discovery, enough for a client to map kinds to resources the way kubectl
// does; every resource supports the same verbs.

var verbs = []string{"get", "list", "watch", "create", "update", "delete"}

func (h *handler) discoveryRoot(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api" {
		h.write(w, r, http.StatusOK, map[string]any{"kind": "APIVersions", "versions": []string{"v1"}})
		return
	}
	type version struct {
		GroupVersion string `json:"groupVersion"`
		Version      string `json:"version"`
	}
	type group struct {
		Name             string    `json:"name"`
		Versions         []version `json:"versions"`
		PreferredVersion version   `json:"preferredVersion"`
	}
	var groups []*group
	byName := map[string]*group{}
	seen := map[string]bool{}
	for _, k := range h.api.Kinds() {
		if k.Group == "" {
			continue
		}
		g := byName[k.Group]
		if g == nil {
			g = &group{Name: k.Group}
			byName[k.Group] = g
			groups = append(groups, g)
		}
		gv := k.GroupVersion().String()
		if !seen[gv] {
			seen[gv] = true
			v := version{GroupVersion: gv, Version: k.Version}
			g.Versions = append(g.Versions, v)
			if k.Version == k.StorageVersion {
				g.PreferredVersion = v
			}
		}
	}
	h.write(w, r, http.StatusOK, map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

func (h *handler) discoveryGroupVersion(w http.ResponseWriter, r *http.Request, gv interface{ String() string }) {
	type apiResource struct {
		Name       string   `json:"name"`
		Namespaced bool     `json:"namespaced"`
		Kind       string   `json:"kind"`
		Verbs      []string `json:"verbs"`
	}
	var out []apiResource
	for _, k := range h.api.Kinds() {
		if k.GroupVersion().String() != gv.String() {
			continue
		}
		out = append(out, apiResource{Name: k.Resource, Namespaced: k.Namespaced, Kind: k.Kind, Verbs: verbs})
		if k.HasStatus {
			out = append(out, apiResource{Name: k.Resource + "/status", Namespaced: k.Namespaced, Kind: k.Kind, Verbs: []string{"get"}})
		}
	}
	if out == nil {
		h.fail(w, r, notFoundPath(r.URL.Path))
		return
	}
	h.write(w, r, http.StatusOK, map[string]any{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv.String(), "resources": out})
}

func (h *handler) version(w http.ResponseWriter, r *http.Request) {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	h.write(w, r, http.StatusOK, map[string]any{"gitVersion": v, "goVersion": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH})
}
