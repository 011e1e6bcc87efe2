package conformance_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"sigs.k8s.io/gateway-api/conformance/utils/roundtripper"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/xdseval"
)

// xdsRoundTripper is the upstream suite's RoundTripper answered by the
// translated xDS instead of a network: the Gateway address of the URL
// picks the Gateway's fleet, whose Envoy resources (the translator's
// output for that fleet, as served to the proxies) answer the request
// through xdseval, with echo-basic's behaviour standing in for the
// backend pods. It opens no connection of any kind.
type xdsRoundTripper struct {
	c    *trafficCluster
	pods *echoPods

	mu  sync.Mutex
	rng *rand.Rand
	// proxies caches one xdseval.Proxy per GatewayClass until the next
	// write to the cluster.
	proxies map[string]*xdseval.Proxy
	version int
}

func newXDSRoundTripper(c *trafficCluster, pods *echoPods) *xdsRoundTripper {
	// A fixed seed: weighted splits see the same distribution every run.
	return &xdsRoundTripper{c: c, pods: pods, rng: rand.New(rand.NewPCG(7, 11)), proxies: map[string]*xdseval.Proxy{}}
}

func (rt *xdsRoundTripper) CaptureRoundTrip(r roundtripper.Request) (*roundtripper.CapturedRequest, *roundtripper.CapturedResponse, error) {
	req, err := evalRequest(r)
	if err != nil {
		return nil, nil, err
	}
	proxy, err := rt.proxy(r.URL.Hostname())
	if err != nil {
		return nil, nil, err
	}
	rt.mu.Lock()
	resp, err := proxy.Serve(req, rt.rng, rt.pods.echo)
	rt.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	if req.TLS != nil {
		if err := verifyServer(resp, r); err != nil {
			return nil, nil, err
		}
		if r.Protocol == roundtripper.H2Protocol && resp.ALPN != "h2" {
			return nil, nil, fmt.Errorf("http2: unexpected ALPN protocol %q; want %q", resp.ALPN, "h2")
		}
	}
	if resp.Upstream != nil {
		for _, m := range resp.Upstream.Mirrors {
			// Envoy does not wait for, or look at, a shadow's answer.
			if _, err := rt.pods.echo(m); err != nil {
				return nil, nil, fmt.Errorf("mirror: %w", err)
			}
		}
	}
	return captured(r, req, resp)
}

// evalRequest is what the upstream DefaultRoundTripper would put on the
// wire for r.
func evalRequest(r roundtripper.Request) (xdseval.Request, error) {
	port, err := urlPort(r.URL)
	if err != nil {
		return xdseval.Request{}, err
	}
	req := xdseval.Request{Port: port, Method: r.Method, Authority: r.URL.Host, Path: r.URL.RequestURI(), Headers: http.Header{}}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	if r.Host != "" {
		req.Authority = r.Host
	}
	for k, v := range r.Headers {
		// DefaultRoundTripper sends each header's first value.
		req.Headers.Set(k, v[0])
	}
	// As DefaultRoundTripper's transports: HTTPS is net/http with a TLS
	// config of its own (no ALPN offered, so HTTP/1.1), H2 is
	// http2.Transport (offers h2 and insists on it), H2C_PRIOR_KNOWLEDGE
	// is HTTP/2 in cleartext.
	switch r.Protocol {
	case roundtripper.HTTPSProtocol, roundtripper.H2Protocol:
		if r.ServerName == "" || len(r.ServerCertificate) == 0 {
			return xdseval.Request{}, errors.New("https request has no server name or trusted certificates configured")
		}
		req.TLS = &xdseval.ClientTLS{ServerName: r.ServerName}
		if r.Protocol == roundtripper.H2Protocol {
			req.TLS.ALPN = []string{"h2"}
		}
	case roundtripper.H2CPriorKnowledgeProtocol:
		req.Proto = "HTTP/2.0"
	}
	if r.GetClientCertificateHook != nil {
		return xdseval.Request{}, errors.New("xdsRoundTripper: client certificates are not evaluated")
	}
	return req, nil
}

func urlPort(u url.URL) (uint32, error) {
	p := u.Port()
	if p == "" {
		p = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("URL %s: port: %w", u.String(), err)
	}
	return uint32(n), nil
}

// proxy is the xDS of the fleet behind the Gateway at addr.
func (rt *xdsRoundTripper) proxy(addr string) (*xdseval.Proxy, error) {
	rt.c.mu.Lock()
	defer rt.c.mu.Unlock()
	class, err := rt.c.classAt(addr)
	if err != nil {
		return nil, err
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.version != rt.c.version {
		rt.proxies, rt.version = map[string]*xdseval.Proxy{}, rt.c.version
	}
	if p := rt.proxies[class]; p != nil {
		return p, nil
	}
	x := gatewayapi.Translate(rt.c.res, rt.c.opts).IR[class]
	if x == nil {
		return nil, fmt.Errorf("no xDS for class %q: connection refused", class)
	}
	rs, err := translator.Translate(x)
	if err != nil {
		return nil, fmt.Errorf("translate fleet %q: %w", class, err)
	}
	e := rs.Envoy
	p, err := xdseval.New(xdseval.Config{Listeners: e.Listeners, Routes: e.Routes, Clusters: e.Clusters, Endpoints: e.Endpoints, Secrets: e.Secrets})
	if err != nil {
		return nil, err
	}
	rt.proxies[class] = p
	return p, nil
}

// verifyServer does the client's half of the handshake: one of the
// certificates the chosen filter chain presents must verify for the
// requested server name against the certificates the request trusts.
func verifyServer(resp *xdseval.Response, r roundtripper.Request) error {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(r.ServerCertificate) {
		return errors.New("unexpected error adding trusted certificates failed")
	}
	var errs []error
	for _, s := range resp.Certificates {
		chain := s.GetTlsCertificate().GetCertificateChain()
		data := chain.GetInlineBytes()
		if len(data) == 0 {
			data = []byte(chain.GetInlineString())
		}
		block, rest := pem.Decode(data)
		if block == nil {
			errs = append(errs, fmt.Errorf("secret %q: no PEM certificate", s.GetName()))
			continue
		}
		leaf, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		inter := x509.NewCertPool()
		for b, more := pem.Decode(rest); b != nil; b, more = pem.Decode(more) {
			if c, err := x509.ParseCertificate(b.Bytes); err == nil {
				inter.AddCert(c)
			}
		}
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: r.ServerName, Roots: roots, Intermediates: inter}); err != nil {
			errs = append(errs, fmt.Errorf("secret %q: %w", s.GetName(), err))
			continue
		}
		return nil
	}
	return fmt.Errorf("tls: chain %q: no certificate verifies for %q: %w", resp.Chain, r.ServerName, errors.Join(errs...))
}

// captured builds what DefaultRoundTripper returns from the response.
func captured(r roundtripper.Request, req xdseval.Request, resp *xdseval.Response) (*roundtripper.CapturedRequest, *roundtripper.CapturedResponse, error) {
	cRes := &roundtripper.CapturedResponse{StatusCode: resp.Status, ContentLength: int64(len(resp.Body)), Protocol: resp.Proto, Headers: resp.Headers}
	if roundtripper.IsRedirect(resp.Status) {
		if !r.UnfollowRedirect {
			return nil, nil, fmt.Errorf("xdsRoundTripper: not following the %d redirect to %q", resp.Status, resp.Headers.Get("Location"))
		}
		loc, err := url.Parse(resp.Headers.Get("Location"))
		if err != nil {
			return nil, nil, err
		}
		cRes.RedirectRequest = &roundtripper.RedirectRequest{Scheme: loc.Scheme, Host: loc.Hostname(), Port: loc.Port(), Path: loc.Path}
	}
	cReq := &roundtripper.CapturedRequest{}
	if resp.Headers.Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(resp.Body, cReq); err != nil {
			return nil, nil, fmt.Errorf("unexpected error reading response: %w", err)
		}
	} else {
		cReq.Method = req.Method
	}
	return cReq, cRes, nil
}

// hostOnly drops a port from a Gateway address.
func hostOnly(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return strings.Trim(addr, "[]")
}
