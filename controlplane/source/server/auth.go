package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// loadOrCreateToken reads the API token from path, or, the first time,
// generates one there (0600) and logs it: the only time it is printed, so
// that it does not end up in every log an operator ships somewhere.
func loadOrCreateToken(path string, log *slog.Logger) (string, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		tok := strings.TrimSpace(string(data))
		if tok == "" {
			return "", fmt.Errorf("API token file %s is empty; delete it to have a new token generated", path)
		}
		return tok, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading the API token: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("creating the API token: %w", err)
	}
	// O_EXCL: two servers starting at once must not hand out different tokens.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreateToken(path, log)
	}
	if err != nil {
		return "", fmt.Errorf("creating the API token: %w", err)
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("writing the API token: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	log.Info("generated the config server API token; it is printed only this once (it stays in the file)",
		"token", tok, "file", path)
	return tok, nil
}

// authenticator admits a request with a verified client certificate or the
// bearer token.
type authenticator struct {
	// tokenHash is the SHA-256 of the token; nil disables tokens. Hashing
	// both sides makes the comparison constant-time in the length too.
	tokenHash []byte
	next      http.Handler
}

func (a *authenticator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.allowed(r) {
		a.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="envoy-gateway"`)
	st := StatusOf(apierrors.NewUnauthorized("Unauthorized"))
	(&handler{}).write(w, r, int(st.Code), st)
}

func (a *authenticator) allowed(r *http.Request) bool {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return true
	}
	if a.tokenHash == nil {
		return false
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(h[:], a.tokenHash) == 1
}
