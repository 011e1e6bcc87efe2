package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/bolt"
)

// hang bounds every wait so that a broken server fails a test instead of
// hanging it; no test asserts how long anything takes.
const hang = 15 * time.Second

var (
	validatorOnce sync.Once
	sharedV       *validation.Validator
	validatorErr  error
)

// testValidator is built once per test binary: it compiles every CEL rule.
func testValidator(t testing.TB) *validation.Validator {
	t.Helper()
	validatorOnce.Do(func() { sharedV, validatorErr = validation.New() })
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	return sharedV
}

// envOptions choose what a test server runs with.
type envOptions struct {
	// translator runs the real gatewayapi.Runner, so status is written back.
	translator bool
	store      bolt.Options
	server     Options
	log        *slog.Logger
	// uncheckedStatus runs status writes as production does, without
	// validating them (benchmarks).
	uncheckedStatus bool
}

// env is a real server on 127.0.0.1:0 over a real bbolt file.
type env struct {
	t      testing.TB
	dir    string
	opts   envOptions
	st     *bolt.Store
	srv    *Server
	out    *message.Map[string, *resource.Resources]
	status *message.Topic[*gatewayapi.Result]
	base   string
	client *http.Client
	cancel context.CancelFunc
	done   chan error
	// running counts the goroutines start began that report on done.
	running int
}

func startEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), opts: o}
	e.start()
	t.Cleanup(e.stop)
	return e
}

func (e *env) start() {
	t := e.t
	t.Helper()
	st, err := bolt.Open(filepath.Join(e.dir, "store.db"), e.opts.store)
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	e.out = message.NewMap[string, *resource.Resources]("resources")
	e.status = message.NewTopic[*gatewayapi.Result]("status")
	opts := e.opts.server
	opts.Address = "127.0.0.1:0"
	if opts.TokenFile == "" && !opts.DisableToken {
		opts.TokenFile = filepath.Join(e.dir, "api-token")
	}
	log := e.opts.log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv, err := New(opts, st, testValidator(t), e.out, e.status, gatewayapi.Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	srv.api.checkStatusWrites = !e.opts.uncheckedStatus
	e.srv = srv
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 2)
	go func() { e.done <- srv.Run(ctx) }()
	e.running = 1
	if e.opts.translator {
		r := &gatewayapi.Runner{Resources: e.out, XdsIR: message.NewMap[string, *ir.Xds]("xds"), Status: e.status}
		go func() { e.done <- r.Run(ctx) }()
		e.running++
	}
	scheme := "http"
	if opts.TLS != nil {
		scheme = "https"
	}
	e.base = scheme + "://" + srv.Addr().String()
	if e.client == nil {
		e.client = &http.Client{Timeout: hang}
	}
	select {
	case <-srv.Ready():
	case <-time.After(hang):
		t.Fatal("server never published the store")
	}
}

func (e *env) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	for range e.running {
		select {
		case err := <-e.done:
			if err != nil {
				e.t.Errorf("Run: %v", err)
			}
		case <-time.After(hang):
			e.t.Error("Run did not return after cancel")
		}
	}
	e.out.Close()
	e.status.Close()
	if err := e.st.Close(); err != nil {
		e.t.Errorf("closing the store: %v", err)
	}
	e.cancel = nil
}

// restart closes everything and opens it again on the same files.
func (e *env) restart() {
	e.stop()
	e.start()
}

// resp is one HTTP answer.
type resp struct {
	code   int
	header http.Header
	raw    []byte
	obj    map[string]any
}

// do sends an authenticated request; body is sent as is (a string of JSON
// or YAML) and contentType may be empty.
func (e *env) do(method, path, body string, hdr ...string) resp {
	e.t.Helper()
	h := map[string]string{"Authorization": "Bearer " + e.srv.Token()}
	for i := 0; i+1 < len(hdr); i += 2 {
		h[hdr[i]] = hdr[i+1]
	}
	return e.raw(method, path, body, h)
}

func (e *env) raw(method, path, body string, h map[string]string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range h {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := resp{code: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.obj); err != nil {
			e.t.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

// must fails the test unless the answer has the code.
func (r resp) must(t testing.TB, code int) resp {
	t.Helper()
	if r.code != code {
		t.Fatalf("got %d, want %d:\n%s", r.code, code, r.raw)
	}
	return r
}

// get walks a decoded JSON path like "metadata.uid" or "status.conditions.0.type".
func (r resp) get(path string) any { return dig(r.obj, path) }

func (r resp) str(path string) string {
	s, _ := r.get(path).(string)
	return s
}

func dig(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// condition finds the condition of type typ in a conditions list at path.
func condition(obj map[string]any, path, typ string) map[string]any {
	list, _ := dig(obj, path).([]any)
	for _, c := range list {
		if m, ok := c.(map[string]any); ok && m["type"] == typ {
			return m
		}
	}
	return nil
}

// eventually polls fn until it returns "" (success) or hang passes.
func eventually(t testing.TB, what string, fn func() string) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for {
		msg := fn()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func toJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Paths of the fixtures.
const (
	gwv1       = "/apis/gateway.networking.k8s.io/v1"
	classPath  = gwv1 + "/gatewayclasses/eg"
	gwPath     = gwv1 + "/namespaces/default/gateways/gw"
	routesPath = gwv1 + "/namespaces/default/httproutes"
	routePath  = routesPath + "/web"
)

const classYAML = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
`

const gatewayYAML = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: 8080}
`

// routeYAML is an HTTPRoute named name attached to gw, routing prefix.
func routeYAML(name, prefix string) string {
	return `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ` + name + `, namespace: default, labels: {app: ` + name + `}}
spec:
  parentRefs: [{name: gw}]
  hostnames: [www.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: "` + prefix + `"}}]
    backendRefs: [{name: web, port: 8080}]
`
}

// tlsClient returns a client trusting ca and presenting cert (if any).
func tlsClient(ca []byte, cert *tls.Certificate) *http.Client {
	pool := newPool(ca)
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Timeout: hang, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// logBuffer collects log lines for tests that check what is logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func gatewayAPIOptions() gatewayapi.Options { return gatewayapi.Options{} }

func timeout() <-chan time.Time { return time.After(hang) }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func e2eLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
