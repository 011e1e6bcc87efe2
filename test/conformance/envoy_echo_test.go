package conformance_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/xdseval"
)

// serveEchoPods starts, for every echo pod and each of echo-basic's ports
// (HTTP 3000, h2c 3001), a real HTTP server on 127.0.0.1:0 that answers as
// that pod: the same stand-in the xDS RoundTripper uses (echoPods.echo),
// so logs, retry state and replies are the pod's. It returns
// "podIP:port" -> "127.0.0.1:N"; the servers stop at cleanup.
func serveEchoPods(t *testing.T, pods *echoPods) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range pods.replicas {
		for _, port := range []string{echoHTTPPort, echoH2CPort} {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			endpoint := net.JoinHostPort(r.ip, port)
			srv := &http.Server{Handler: echoHandler(pods, endpoint), ReadHeaderTimeout: 10 * time.Second}
			if port == echoH2CPort {
				// echo-basic's h2c port speaks HTTP/2 in cleartext as well
				// as HTTP/1.1.
				srv.Protocols = new(http.Protocols)
				srv.Protocols.SetHTTP1(true)
				srv.Protocols.SetUnencryptedHTTP2(true)
			}
			go srv.Serve(l)
			t.Cleanup(func() { srv.Close() })
			out[endpoint] = l.Addr().String()
		}
	}
	return out
}

// echoHandler turns a real request into the stand-in's upstream request
// for the pod at endpoint, and its reply back into a response.
func echoHandler(pods *echoPods, endpoint string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply, err := pods.echo(&xdseval.Upstream{Proto: r.Proto, Endpoint: endpoint, Method: r.Method,
			Authority: r.Host, Path: r.RequestURI, Headers: r.Header.Clone()})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if reply.Delay > 0 {
			select {
			case <-time.After(reply.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if reply.Reset {
			// Drops the connection without a response, as the stand-in's
			// Reset means.
			panic(http.ErrAbortHandler)
		}
		for k, v := range reply.Headers {
			w.Header()[k] = v
		}
		w.WriteHeader(reply.Status)
		w.Write(reply.Body)
	})
}
