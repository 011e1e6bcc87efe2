// Package apiclient is a small client of the Config Server's HTTP API,
// shared by the envoy-gateway CLI and the Terraform provider. Objects are
// unstructured (Kubernetes-shaped maps), so the client needs no Go type per
// kind and passes through fields it does not know.
//
// Errors are *StatusError (the server answered with a Kubernetes Status) or
// *UnreachableError (it did not answer).
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Client talks to one Config Server. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	token     string
	userAgent string
	http      *http.Client

	mu    sync.Mutex
	kinds *kindCache
}

// New builds a client from opts as given; call opts.WithEnv() first to
// honour the environment. It reads the token and TLS files now, so a
// missing file is reported before any request.
func New(opts Options) (*Client, error) {
	base, err := opts.baseURL()
	if err != nil {
		return nil, err
	}
	tok, err := opts.token()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // a config server is reached directly, usually on loopback
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	if base.Scheme == "https" {
		if tr.TLSClientConfig, err = opts.TLS.config(); err != nil {
			return nil, err
		}
	} else if opts.TLS.CertFile != "" || opts.TLS.CAFile != "" {
		return nil, fmt.Errorf("endpoint %s is plain http, but TLS files are configured; use https://", base)
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "envoygateway-apiclient"
	}
	return &Client{base: base, token: tok, userAgent: ua, http: &http.Client{Transport: tr}}, nil
}

// Endpoint is the server's base URL.
func (c *Client) Endpoint() string { return c.base.String() }

// request is one HTTP call.
type request struct {
	method string
	path   string
	query  url.Values
	body   []byte
	ctype  string
}

// do sends r and returns the response for a 2xx (the caller closes the
// body); any other answer is a *StatusError, no answer an
// *UnreachableError.
func (c *Client) do(ctx context.Context, r request) (*http.Response, error) {
	u := *c.base
	u.Path = c.base.Path + r.path
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if r.ctype != "" {
		req.Header.Set("Content-Type", r.ctype)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &UnreachableError{Endpoint: c.Endpoint(), Err: err}
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return nil, &StatusError{ErrStatus: statusFromResponse(resp.StatusCode, data), Endpoint: c.Endpoint(), body: data}
}

// doJSON sends r and decodes a 2xx answer into out.
func (c *Client) doJSON(ctx context.Context, r request, out any) (*http.Response, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return nil, fmt.Errorf("reading the answer to %s %s: %w", r.method, r.path, err)
	}
	return resp, nil
}

// Version is the server's /version answer.
type Version struct {
	GitVersion string `json:"gitVersion"`
	GoVersion  string `json:"goVersion"`
	Platform   string `json:"platform"`
}

// Version asks the server for its version; it is also the cheapest check
// that the server is there and accepts the credentials.
func (c *Client) Version(ctx context.Context) (*Version, error) {
	var v Version
	_, err := c.doJSON(ctx, request{method: http.MethodGet, path: "/version"}, &v)
	return &v, err
}

// gvPath is the URL prefix of a group/version.
func gvPath(gv schema.GroupVersion) string {
	if gv.Group == "" {
		return "/api/" + gv.Version
	}
	return "/apis/" + gv.Group + "/" + gv.Version
}

// objectPath is the URL of a collection (name "") or of one object.
func objectPath(k Kind, namespace, name string) string {
	p := gvPath(k.GroupVersion())
	if k.Namespaced && namespace != "" {
		p += "/namespaces/" + url.PathEscape(namespace)
	}
	p += "/" + k.Resource
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}

var errNoName = errors.New("metadata.name is required")

func notBlank(s string) bool { return strings.TrimSpace(s) != "" }
