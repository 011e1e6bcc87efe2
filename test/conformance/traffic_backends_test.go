package conformance_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	gwconformance "sigs.k8s.io/gateway-api/conformance"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/xdseval"
)

// pod is one replica of an upstream echo Deployment, as the echo server
// knows itself (POD_NAME, NAMESPACE); grpc: GRPC_ECHO_SERVER is set, so
// echo-basic serves its gRPC echo, not HTTP, on its HTTP port.
type pod struct {
	name, namespace string
	grpc            bool
}

// echoPods stands in for Kubernetes' workload and endpoint controllers:
// each replica of the manifests' Deployments becomes a pod with an
// address, and each Service selecting pods gets the EndpointSlice the
// endpoint controller would write. The translator sees those slices like
// any others; the harness maps an endpoint the proxy picked back to its
// pod. Nothing listens on these addresses: they are documentation-only
// names for the echo stand-in.
type echoPods struct {
	deployments []*appsv1.Deployment
	replicas    []replica
	byIP        map[string]pod

	mu   sync.Mutex
	logs map[pod][]logLine
	// attempts is echo-basic's retry simulation state, per pod and uuid.
	attempts map[pod]map[string]int
}

// logLine is a line echo-basic prints for a request it answers.
type logLine struct {
	at   time.Time
	text string
}

type replica struct {
	pod
	ip     string
	labels map[string]string
	spec   corev1.PodSpec
}

func deployments(t *testing.T, files ...string) []*appsv1.Deployment {
	t.Helper()
	var out []*appsv1.Deployment
	for _, f := range append([]string{"base/manifests.yaml"}, files...) {
		data, err := fs.ReadFile(gwconformance.Manifests, f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
			var head metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil || head.Kind != "Deployment" {
				continue
			}
			d := &appsv1.Deployment{}
			if err := yaml.Unmarshal([]byte(doc), d); err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			out = append(out, d)
		}
	}
	return out
}

// addEchoEndpoints writes the slices into res and returns the pods.
func addEchoEndpoints(t *testing.T, res *resource.Resources, files ...string) *echoPods {
	t.Helper()
	ep := &echoPods{deployments: deployments(t, files...), byIP: map[string]pod{}, logs: map[pod][]logLine{}, attempts: map[pod]map[string]int{}}
	var replicas []replica
	for i, d := range ep.deployments {
		n := 1
		if d.Spec.Replicas != nil {
			n = int(*d.Spec.Replicas)
		}
		for r := range n {
			replicas = append(replicas, replica{
				pod:    pod{name: fmt.Sprintf("%s-5f7c9d8b6-%c%c%c%c%c", d.Name, 'a'+r, 'b', 'c', 'd', 'e'), namespace: d.Namespace, grpc: grpcEcho(d)},
				ip:     fmt.Sprintf("10.244.%d.%d", i, r+1),
				labels: d.Spec.Template.Labels,
				spec:   d.Spec.Template.Spec,
			})
			ep.byIP[replicas[len(replicas)-1].ip] = replicas[len(replicas)-1].pod
		}
	}
	ep.replicas = replicas
	for _, svc := range res.Services {
		if len(svc.Spec.Selector) == 0 {
			continue
		}
		sel := labels.SelectorFromSet(svc.Spec.Selector)
		es := &discoveryv1.EndpointSlice{
			ObjectMeta: metav1.ObjectMeta{Name: svc.Name + "-echo", Namespace: svc.Namespace, Generation: 1,
				Labels: map[string]string{discoveryv1.LabelServiceName: svc.Name}},
			AddressType: discoveryv1.AddressTypeIPv4,
		}
		for _, sp := range svc.Spec.Ports {
			port, proto := int32(0), sp.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			for _, r := range replicas {
				if r.namespace != svc.Namespace || !sel.Matches(labels.Set(r.labels)) {
					continue
				}
				port = targetPort(sp, r.spec)
			}
			if port != 0 {
				es.Ports = append(es.Ports, discoveryv1.EndpointPort{Name: new(sp.Name), Protocol: new(proto), Port: new(port)})
			}
		}
		for _, r := range replicas {
			if r.namespace == svc.Namespace && sel.Matches(labels.Set(r.labels)) {
				es.Endpoints = append(es.Endpoints, discoveryv1.Endpoint{Addresses: []string{r.ip},
					Conditions: discoveryv1.EndpointConditions{Ready: new(true)},
					TargetRef:  &corev1.ObjectReference{Kind: "Pod", Name: r.name, Namespace: r.namespace}})
			}
		}
		if len(es.Endpoints) > 0 {
			res.EndpointSlices = append(res.EndpointSlices, es)
		}
	}
	return ep
}

// targetPort resolves a Service port's targetPort against the pod's
// containers, as the endpoint controller does.
func targetPort(sp corev1.ServicePort, spec corev1.PodSpec) int32 {
	switch {
	case sp.TargetPort.Type == intstr.String:
		for _, c := range spec.Containers {
			for _, p := range c.Ports {
				if p.Name == sp.TargetPort.StrVal {
					return p.ContainerPort
				}
			}
		}
		return 0
	case sp.TargetPort.IntVal != 0:
		return sp.TargetPort.IntVal
	}
	return sp.Port
}

// echoHTTPPort and echoH2CPort are echo-basic's default HTTP_PORT and
// H2C_PORT.
const (
	echoHTTPPort = "3000"
	echoH2CPort  = "3001"
)

var statusPath = regexp.MustCompile(`^/status/(\d\d\d)$`)

// echo answers as conformance/echo-basic's HTTP handlers do: /status/NNN
// with that status, /health with OK, everything else with the request
// described in JSON, after ?delay= if given, and with the response headers
// X-Echo-Set-Header asks for. The flaky /retry/ handler keeps state per
// uuid across attempts, which this stand-in does not model.
func (e *echoPods) echo(up *xdseval.Upstream) (xdseval.BackendReply, error) {
	host, port, err := net.SplitHostPort(up.Endpoint)
	p, ok := e.byIP[host]
	if err != nil || !ok || port != echoHTTPPort && port != echoH2CPort {
		return xdseval.BackendReply{}, fmt.Errorf("the proxy sent the request to %s, which is no echo pod", up.Endpoint)
	}
	if p.grpc {
		if port != echoHTTPPort {
			return xdseval.BackendReply{}, fmt.Errorf("the proxy sent the request to %s, where the gRPC echo pod does not listen", up.Endpoint)
		}
		return grpcEchoReply(p, up)
	}
	switch {
	case port == echoHTTPPort && up.Proto != "HTTP/1.1":
		// net/http without h2c: the HTTP/2 preface is no request.
		return xdseval.BackendReply{Reset: true}, nil
	case port == echoH2CPort && up.Proto != "HTTP/2.0" && up.Headers.Get("Upgrade") != "h2c":
		return xdseval.BackendReply{Status: http.StatusBadRequest, Headers: http.Header{}, Body: []byte("Expected h2c request")}, nil
	}
	path, query, _ := strings.Cut(up.Path, "?")
	switch {
	case statusPath.MatchString(up.Path):
		code, _ := strconv.Atoi(statusPath.FindStringSubmatch(up.Path)[1])
		return xdseval.BackendReply{Status: code, Headers: http.Header{}}, nil
	case path == "/ws" && port == echoHTTPPort:
		// echo-basic's /ws is x/net/websocket's handler: it upgrades a
		// WebSocket handshake and refuses anything else.
		if !strings.EqualFold(up.Headers.Get("Upgrade"), "websocket") || up.Headers.Get("Sec-Websocket-Key") == "" {
			return xdseval.BackendReply{Status: http.StatusBadRequest, Headers: http.Header{}}, nil
		}
		return xdseval.BackendReply{Status: http.StatusSwitchingProtocols, Headers: http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}}}, nil
	case path == "/health":
		return xdseval.BackendReply{Status: http.StatusOK, Headers: http.Header{}, Body: []byte("OK")}, nil
	case strings.HasPrefix(path, "/retry/"):
		if reply, failed, err := e.retrySimulation(p, query); failed || err != nil {
			return reply, err
		}
	}
	e.log(p, fmt.Sprintf("Echoing back request made to %s to client (%s)", up.Path, envoyPeer))
	var delay time.Duration
	if d := queryValue(query, "delay"); d != "" {
		if delay, err = time.ParseDuration(d); err != nil {
			return xdseval.BackendReply{}, fmt.Errorf("echo stand-in: delay %q: %w", d, err)
		}
	}
	headers := up.Headers.Clone()
	body, err := json.MarshalIndent(map[string]any{
		"path": up.Path, "host": up.Authority, "method": up.Method, "proto": up.Proto,
		"headers": headers, "httpPort": echoHTTPPort, "namespace": p.namespace, "pod": p.name,
	}, "", " ")
	if err != nil {
		return xdseval.BackendReply{}, err
	}
	h := http.Header{}
	for _, kvs := range up.Headers["X-Echo-Set-Header"] {
		for kv := range strings.SplitSeq(kvs, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(kv), ":")
			if name == "" {
				continue
			}
			if len(h[name]) == 0 {
				h[name] = []string{value}
			} else {
				h[name][0] += "," + strings.TrimSpace(value)
			}
		}
	}
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	return xdseval.BackendReply{Status: http.StatusOK, Headers: h, Body: bytes.Clone(body), Delay: delay}, nil
}

func queryValue(raw, name string) string {
	for kv := range strings.SplitSeq(raw, "&") {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

// envoyPeer is the client address the echo pods log: the proxy's.
const envoyPeer = "10.244.255.1:40000"

func (e *echoPods) log(p pod, text string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.logs[p] = append(e.logs[p], logLine{at: time.Now(), text: text})
}

// logsSince are the pod's lines from since on, at the one-second
// granularity of the Kubernetes sinceTime parameter.
func (e *echoPods) logsSince(p pod, since time.Time) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, l := range e.logs[p] {
		if !l.at.Before(since.Truncate(time.Second)) {
			out = append(out, l.text)
		}
	}
	return out
}

// retrySimulation is echo-basic's /retry/ handler: the first succeedAfter
// requests with a uuid fail, with responseCode or else a TCP reset, after
// delayRetry; later ones are echoed (failed false). Its state is the
// pod's, as echo-basic's is the process's.
func (e *echoPods) retrySimulation(p pod, query string) (reply xdseval.BackendReply, failed bool, err error) {
	q, err := url.ParseQuery(query)
	if err != nil {
		return reply, false, err
	}
	uuid := q.Get("uuid")
	succeedAfter, convErr := strconv.Atoi(q.Get("succeedAfter"))
	switch {
	case uuid == "":
		return xdseval.BackendReply{Status: http.StatusBadRequest, Headers: http.Header{}, Body: []byte("uuid is required")}, true, nil
	case convErr != nil:
		return xdseval.BackendReply{Status: http.StatusBadRequest, Headers: http.Header{}, Body: []byte("succeedAfter is required")}, true, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.attempts[p] == nil {
		e.attempts[p] = map[string]int{}
	}
	if e.attempts[p][uuid] >= succeedAfter {
		return reply, false, nil
	}
	e.attempts[p][uuid]++
	if d := q.Get("delayRetry"); d != "" {
		if reply.Delay, err = time.ParseDuration(d); err != nil {
			return reply, false, err
		}
	}
	if code, err := strconv.Atoi(q.Get("responseCode")); err == nil {
		reply.Status, reply.Headers = code, http.Header{}
	} else {
		reply.Reset = true
	}
	return reply, true, nil
}

func grpcEcho(d *appsv1.Deployment) bool {
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == "GRPC_ECHO_SERVER" && e.Value != "" {
				return true
			}
		}
	}
	return false
}
