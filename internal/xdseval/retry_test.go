package xdseval

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// flaky fails its first n tries with fail, then answers 200.
type flaky struct {
	n, tries int
	fail     BackendReply
}

func (f *flaky) serve(*Upstream) (BackendReply, error) {
	f.tries++
	if f.tries <= f.n {
		return f.fail, nil
	}
	return BackendReply{Status: http.StatusOK, Headers: http.Header{}}, nil
}

func TestRetries(t *testing.T) {
	route := func(retryOn string, retries uint32, codes ...uint32) *routev3.Route {
		r := toCluster("r", "a", prefix("/"))
		r.GetRoute().RetryPolicy = &routev3.RetryPolicy{RetryOn: retryOn, NumRetries: wrapperspb.UInt32(retries),
			RetriableStatusCodes: codes, PerTryTimeout: durationpb.New(time.Second)}
		return r
	}
	status := func(c int) BackendReply { return BackendReply{Status: c, Headers: http.Header{}} }
	for _, c := range []struct {
		name       string
		route      *routev3.Route
		fails      int
		fail       BackendReply
		wantStatus int
		wantTries  int
	}{
		{"listed code retried until success", route("retriable-status-codes", 3, 500), 2, status(500), 200, 3},
		{"listed code, retries exhausted", route("retriable-status-codes", 3, 500), 4, status(500), 500, 4},
		{"unlisted code not retried", route("retriable-status-codes", 3, 500), 2, status(503), 503, 1},
		{"gateway-error covers 502", route("gateway-error", 1), 1, status(502), 200, 2},
		{"gateway-error leaves 500", route("gateway-error", 1), 1, status(500), 500, 1},
		{"reset retried", route("reset", 1), 1, BackendReply{Reset: true}, 200, 2},
		{"reset exhausted is 503", route("reset", 1), 2, BackendReply{Reset: true}, 503, 2},
		{"per-try timeout retried under 5xx", route("5xx", 1), 1, BackendReply{Status: 200, Delay: 2 * time.Second}, 200, 2},
		{"per-try timeout exhausted is 504", route("5xx", 1), 2, BackendReply{Status: 200, Delay: 2 * time.Second}, 504, 2},
	} {
		p := fixture(t, &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"}, c.route)}}, nil)
		f := &flaky{n: c.fails, fail: c.fail}
		resp, err := p.Serve(get("h", "/"), rand.New(rand.NewPCG(1, 1)), f.serve)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if resp.Status != c.wantStatus || f.tries != c.wantTries {
			t.Errorf("%s: %d after %d tries, want %d after %d", c.name, resp.Status, f.tries, c.wantStatus, c.wantTries)
		}
	}
}
