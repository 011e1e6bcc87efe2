package xdseval

import (
	"fmt"
	"net/http"
	"strings"

	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
)

// stream is the request as the HttpConnectionManager hands it to the
// filters: pseudo-headers split out, path normalized, port stripped.
type stream struct {
	proto     string
	scheme    string
	method    string
	authority string
	path      string // path and query
	headers   http.Header
	// upgrade is the protocol the client asks to upgrade to, if any.
	upgrade string
}

func (s *stream) pathOnly() string {
	p, _, _ := strings.Cut(s.path, "?")
	return p
}

func (s *stream) query() (string, bool) {
	_, q, ok := strings.Cut(s.path, "?")
	return q, ok
}

// newStream applies the HttpConnectionManager's request processing; a
// request it rejects gets its local reply instead.
func newStream(req Request, hcm *hcmv3.HttpConnectionManager) (*stream, *Response) {
	s := &stream{proto: req.Proto, scheme: "http", method: req.Method, authority: strings.ToLower(req.Authority), path: req.Path, headers: req.Headers.Clone()}
	if s.headers == nil {
		s.headers = http.Header{}
	}
	if req.TLS != nil {
		s.scheme = "https"
	}
	if s.method == "" {
		s.method = http.MethodGet
	}
	// Envoy's Utility::isUpgrade: an Upgrade header and "upgrade" among
	// the Connection tokens.
	if u := s.headers.Get("Upgrade"); u != "" && hasToken(s.headers.Values("Connection"), "upgrade") {
		s.upgrade = strings.ToLower(u)
	}
	if !strings.HasPrefix(s.path, "/") {
		return nil, localReply(http.StatusBadRequest, "Bad Request")
	}
	if hcm.GetStripAnyHostPort() {
		s.authority = stripPort(s.authority)
	}
	p, q, hasQ := strings.Cut(s.path, "?")
	if hcm.GetNormalizePath().GetValue() {
		p = removeDotSegments(p)
	}
	if hcm.GetMergeSlashes() {
		p = mergeSlashes(p)
	}
	s.path = p
	if hasQ {
		s.path += "?" + q
	}
	return s, nil
}

const (
	http1 = "HTTP/1.1"
	http2 = "HTTP/2.0"
)

// codecAccepts says whether the manager's codec_type takes the client's
// protocol: AUTO takes both, telling HTTP/2 by its connection preface
// (or ALPN).
func codecAccepts(hcm *hcmv3.HttpConnectionManager, proto string) error {
	switch c := hcm.GetCodecType(); {
	case proto != http1 && proto != http2:
		return unsupported("client protocol %q", proto)
	case c == hcmv3.HttpConnectionManager_AUTO,
		c == hcmv3.HttpConnectionManager_HTTP1 && proto == http1,
		c == hcmv3.HttpConnectionManager_HTTP2 && proto == http2:
		return nil
	case c == hcmv3.HttpConnectionManager_HTTP3:
		return unsupported("codec_type HTTP3")
	}
	return &ConnError{Reason: fmt.Sprintf("codec_type %v does not speak %s", hcm.GetCodecType(), proto)}
}

func stripPort(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.LastIndex(host, "]:"); i >= 0 {
			return host[:i+1]
		}
		return host
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		return host[:i]
	}
	return host
}

// removeDotSegments is RFC 3986 section 5.2.4, which Envoy's
// normalize_path applies (it does not touch percent-encoded slashes).
func removeDotSegments(p string) string {
	segs := strings.Split(p, "/")[1:]
	var out []string
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

func mergeSlashes(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

// header is the value Envoy matches for name: pseudo-headers from the
// stream, repeated headers joined by commas as Envoy does.
func (s *stream) header(name string) (string, bool) {
	switch strings.ToLower(name) {
	case ":method":
		return s.method, true
	case ":authority", "host":
		return s.authority, true
	case ":path":
		return s.path, true
	case ":scheme":
		return s.scheme, true
	}
	v, ok := s.headers[http.CanonicalHeaderKey(name)]
	if !ok {
		return "", false
	}
	return strings.Join(v, ","), true
}

func localReply(status int, body string) *Response {
	h := http.Header{}
	h.Set("Server", "envoy")
	if body != "" {
		h.Set("Content-Type", "text/plain")
	}
	return &Response{Status: status, Headers: h, Body: []byte(body)}
}

func hasToken(values []string, token string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
