package conformance_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"

	"golang.org/x/net/websocket"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/xdseval"
)

// xdsWebSocketDialer is the suite's WebSocketDialer answered like the
// RoundTripper: the upgrade request goes through the translated xDS
// (route, upgrade_configs, backend), and only when the proxy hands the
// upgraded connection to an echo pod's /ws handler does a WebSocket
// exist. Then the frames run over an in-memory pipe between
// x/net/websocket's client and echo-basic's handler (io.Copy), so the
// handshake and framing are real; the proxy's relaying of bytes after
// the 101 is not modelled.
type xdsWebSocketDialer struct{ rt *xdsRoundTripper }

func (d *xdsWebSocketDialer) Dial(rawURL, protocol, origin string) (*websocket.Conn, error) {
	cfg, err := websocket.NewConfig(rawURL, origin)
	if err != nil {
		return nil, err
	}
	if protocol != "" {
		cfg.Protocol = []string{protocol}
	}
	port := uint32(80)
	if p := cfg.Location.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return nil, err
		}
		port = uint32(n)
	}
	req := xdseval.Request{Port: port, Method: http.MethodGet, Authority: cfg.Location.Host, Path: cfg.Location.RequestURI(), Headers: http.Header{
		"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Origin": {origin}, "Sec-Websocket-Version": {"13"},
		"Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="},
	}}
	proxy, err := d.rt.proxy(cfg.Location.Hostname())
	if err != nil {
		return nil, err
	}
	d.rt.mu.Lock()
	resp, err := proxy.Serve(req, d.rt.rng, d.rt.pods.echo)
	d.rt.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusSwitchingProtocols {
		return nil, &websocket.DialError{Config: cfg, Err: fmt.Errorf("%w: %d", websocket.ErrBadStatus, resp.Status)}
	}
	client, server := net.Pipe()
	go serveOne(server, websocket.Handler(func(ws *websocket.Conn) { _, _ = io.Copy(ws, ws) }))
	return websocket.NewClient(cfg, client)
}

// serveOne serves one in-memory connection with h.
func serveOne(c net.Conn, h http.Handler) {
	l := &oneConn{c: c, done: make(chan struct{})}
	_ = (&http.Server{Handler: h}).Serve(l)
}

// oneConn is a net.Listener that accepts c once and then waits until it
// is closed.
type oneConn struct {
	c    net.Conn
	once sync.Once
	done chan struct{}
	took bool
}

func (l *oneConn) Accept() (net.Conn, error) {
	if !l.took {
		l.took = true
		return closeNotifier{Conn: l.c, closed: func() { l.once.Do(func() { close(l.done) }) }}, nil
	}
	<-l.done
	return nil, errors.New("oneConn: closed")
}

func (l *oneConn) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *oneConn) Addr() net.Addr { return l.c.LocalAddr() }

type closeNotifier struct {
	net.Conn
	closed func()
}

func (c closeNotifier) Close() error {
	c.closed()
	return c.Conn.Close()
}
