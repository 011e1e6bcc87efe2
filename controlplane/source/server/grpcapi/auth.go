package grpcapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// authenticator admits a call that carries the bearer token, as the HTTP
// API does ("authorization: Bearer <token>" in the metadata), or that
// arrived over TLS with a client certificate the server verified.
type authenticator struct {
	// tokenHash is the SHA-256 of the token, nil for none; comparing
	// hashes keeps the comparison constant-time in the length too.
	tokenHash []byte
}

func newAuthenticator(token string) *authenticator {
	if token == "" {
		return &authenticator{}
	}
	h := sha256.Sum256([]byte(token))
	return &authenticator{tokenHash: h[:]}
}

func (a *authenticator) check(ctx context.Context) error {
	if verifiedClient(ctx) {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return toGRPC(apierrors.NewUnauthorized("no credentials: send the metadata \"authorization: Bearer <token>\" (the token is in the data directory's api-token file) or a client certificate"))
	}
	scheme, tok, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || a.tokenHash == nil {
		return toGRPC(apierrors.NewUnauthorized("invalid credentials: want the metadata \"authorization: Bearer <token>\""))
	}
	if h := sha256.Sum256([]byte(strings.TrimSpace(tok))); subtle.ConstantTimeCompare(h[:], a.tokenHash) != 1 {
		return toGRPC(apierrors.NewUnauthorized("invalid bearer token"))
	}
	return nil
}

// verifiedClient: the TLS handshake already proved the client holds a key
// certified by the configured client CA.
func verifiedClient(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return false
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	return ok && len(info.State.VerifiedChains) > 0
}

func (a *authenticator) unary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := a.check(ctx); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (a *authenticator) stream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := a.check(ss.Context()); err != nil {
		return err
	}
	return handler(srv, ss)
}
