package conformance_test

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	pb "sigs.k8s.io/gateway-api/conformance/echo-basic/grpcechoserver"
	"sigs.k8s.io/gateway-api/conformance/utils/grpc"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/xdseval"
)

// grpcService is echo-basic's gRPC echo service; it implements Echo and
// EchoTwo (EchoThree is in the proto but not served).
const grpcService = "/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/"

// xdsGRPCClient is the suite's GRPCClient answered like the RoundTripper:
// the RPC is the HTTP/2 POST grpc-go sends (path /service/method,
// content-type application/grpc, metadata as headers, :authority from
// the dial target or the test's authority), evaluated on the translated
// xDS, and answered by the gRPC echo pod the proxy picks.
type xdsGRPCClient struct{ rt *xdsRoundTripper }

func (c *xdsGRPCClient) Close() {}

func (c *xdsGRPCClient) SendRPC(_ *testing.T, address string, expected grpc.ExpectedResponse, _ time.Duration) (*grpc.Response, error) {
	method := "EchoThree"
	switch {
	case expected.EchoRequest != nil:
		method = "Echo"
	case expected.EchoTwoRequest != nil:
		method = "EchoTwo"
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, err
	}
	req := xdseval.Request{Port: uint32(port), Proto: "HTTP/2.0", Method: http.MethodPost, Authority: address, Path: grpcService + method,
		Headers: http.Header{"Content-Type": {"application/grpc"}, "Te": {"trailers"}}}
	if md := expected.RequestMetadata; md != nil {
		if md.Authority != "" {
			req.Authority = md.Authority
		}
		for k, v := range md.Metadata {
			req.Headers.Set(k, v)
		}
	}
	proxy, err := c.rt.proxy(host)
	if err != nil {
		return nil, err
	}
	c.rt.mu.Lock()
	resp, err := proxy.Serve(req, c.rt.rng, c.rt.pods.echo)
	c.rt.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := &grpc.Response{Headers: &metadata.MD{}, Trailers: &metadata.MD{}, Code: grpcCode(resp)}
	if out.Code == codes.OK {
		out.Response = &pb.EchoResponse{}
		if err := proto.Unmarshal(resp.Body, out.Response); err != nil {
			return nil, fmt.Errorf("echo response: %w", err)
		}
	}
	return out, nil
}

// grpcCode is the status the client sees: grpc-status when the response
// is gRPC, else the HTTP status mapped as Envoy maps its local replies to
// gRPC requests and as grpc-go maps HTTP errors
// (Grpc::Utility::httpToGrpcStatus; grpc-go's HTTP status mapping).
func grpcCode(resp *xdseval.Response) codes.Code {
	if s := resp.Headers.Get("Grpc-Status"); resp.Status == http.StatusOK && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return codes.Unknown
		}
		return codes.Code(n)
	}
	switch resp.Status {
	case http.StatusBadRequest:
		return codes.Internal
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	case http.StatusNotFound:
		return codes.Unimplemented
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return codes.Unavailable
	}
	return codes.Unknown
}

// grpcEchoReply is echo-basic's gRPC server: HTTP/2 only, Echo and
// EchoTwo answered with the call's method, metadata, authority and pod,
// anything else Unimplemented.
func grpcEchoReply(p pod, up *xdseval.Upstream) (xdseval.BackendReply, error) {
	if up.Proto != "HTTP/2.0" {
		// A gRPC server reads no HTTP/1 request.
		return xdseval.BackendReply{Reset: true}, nil
	}
	status := func(c codes.Code) xdseval.BackendReply {
		return xdseval.BackendReply{Status: http.StatusOK, Headers: http.Header{"Content-Type": {"application/grpc"}, "Grpc-Status": {strconv.Itoa(int(c))}}}
	}
	if !strings.HasPrefix(up.Headers.Get("Content-Type"), "application/grpc") {
		return xdseval.BackendReply{Status: http.StatusUnsupportedMediaType, Headers: http.Header{}}, nil
	}
	method := strings.TrimPrefix(up.Path, grpcService)
	if method == up.Path || method != "Echo" && method != "EchoTwo" {
		return status(codes.Unimplemented), nil
	}
	headers := []*pb.Header{{Key: ":authority", Value: up.Authority}}
	for k, vs := range up.Headers {
		for _, v := range vs {
			headers = append(headers, &pb.Header{Key: strings.ToLower(k), Value: v})
		}
	}
	body, err := proto.Marshal(&pb.EchoResponse{Assertions: &pb.Assertions{
		FullyQualifiedMethod: grpcService + method, Headers: headers, Authority: up.Authority,
		Context: &pb.Context{Namespace: p.namespace, Pod: p.name},
	}})
	if err != nil {
		return xdseval.BackendReply{}, err
	}
	r := status(codes.OK)
	r.Body = body
	return r, nil
}
