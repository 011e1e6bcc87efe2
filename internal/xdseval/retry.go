package xdseval

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
)

// attempt is the outcome of the tries of one request.
type attempt struct {
	BackendReply
	timedOut bool
}

// attempts sends up as Envoy's router does: a try, then retries while the
// retry policy's retry_on holds for the outcome and num_retries allows,
// each try to an endpoint picked afresh, and up.Endpoint left at the last
// one. A try that outlasts per_try_timeout counts as a timeout; the route
// timeout bounds all tries together (router filter docs,
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter).
// Back-off time between tries is not counted: the backend's delays are
// the only clock.
func (p *Proxy) attempts(up *Upstream, ra *routev3.RouteAction, vh *routev3.VirtualHost, eps []string, rng *rand.Rand, backend Backend) (attempt, error) {
	policy := ra.GetRetryPolicy()
	if policy == nil {
		policy = vh.GetRetryPolicy()
	}
	on, err := retryConditions(policy)
	if err != nil {
		return attempt{}, err
	}
	retries := 0
	if policy != nil {
		retries = 1
		if policy.GetNumRetries() != nil {
			retries = int(policy.GetNumRetries().GetValue())
		}
	}
	global := routeTimeout(ra)
	perTry := policy.GetPerTryTimeout().AsDuration()
	var elapsed time.Duration
	for try := 0; ; try++ {
		if try > 0 {
			up.Endpoint = eps[rng.IntN(len(eps))]
		}
		reply, err := backend(up)
		if err != nil {
			return attempt{}, err
		}
		out := attempt{BackendReply: reply}
		took := reply.Delay
		if perTry > 0 && took >= perTry {
			took, out.timedOut = perTry, true
		}
		elapsed += took
		if global > 0 && elapsed >= global {
			return attempt{timedOut: true}, nil
		}
		if try >= retries || !on.retriable(out, policy) {
			return out, nil
		}
	}
}

type retryOn map[string]bool

var knownRetryOn = []string{"5xx", "gateway-error", "reset", "connect-failure", "retriable-status-codes", "refused-stream", "retriable-4xx", "reset-before-request"}

func retryConditions(policy *routev3.RetryPolicy) (retryOn, error) {
	on := retryOn{}
	if policy == nil {
		return on, nil
	}
	if len(policy.GetRetryHostPredicate()) > 0 || policy.GetRetryPriority() != nil || len(policy.GetRetriableHeaders()) > 0 ||
		len(policy.GetRetriableRequestHeaders()) > 0 || policy.GetRateLimitedRetryBackOff() != nil {
		return nil, unsupported("retry policy beyond retry_on, num_retries, per_try_timeout, retriable_status_codes and back-off")
	}
	for c := range strings.SplitSeq(policy.GetRetryOn(), ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !slices.Contains(knownRetryOn, c) {
			return nil, unsupported("retry_on %q", c)
		}
		on[c] = true
	}
	return on, nil
}

// retriable applies the retry_on conditions (x-envoy-retry-on docs): a
// reset or a per-try timeout is retried under 5xx, and reset (timeouts
// also under gateway-error); a status under 5xx when >= 500, gateway-error
// when 502-504, retriable-status-codes when listed, retriable-4xx for 409.
// connect-failure and refused-stream never hold here: the stand-in
// backends always accept the connection and speak HTTP/1.
func (on retryOn) retriable(a attempt, policy *routev3.RetryPolicy) bool {
	switch {
	case a.timedOut:
		return on["5xx"] || on["gateway-error"]
	case a.Reset:
		return on["5xx"] || on["reset"]
	}
	code := a.Status
	return on["5xx"] && code >= 500 ||
		on["gateway-error"] && code >= 502 && code <= 504 ||
		on["retriable-4xx"] && code == 409 ||
		on["retriable-status-codes"] && slices.Contains(policy.GetRetriableStatusCodes(), uint32(code))
}
