package conformance_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// podLogsClientset is a real client-go clientset whose only reachable
// API is pod logs, answered in memory from what the echo stand-ins
// printed: the upstream mirror tests read the mirrored request from the
// mirror backend's logs. Its transport never dials.
func podLogsClientset(pods *echoPods) (kubernetes.Interface, error) {
	hc := &http.Client{Transport: podLogs{pods}}
	return kubernetes.NewForConfigAndClient(&rest.Config{Host: "http://kubernetes.invalid"}, hc)
}

type podLogs struct{ pods *echoPods }

var podLogPath = regexp.MustCompile(`^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log$`)

func (l podLogs) RoundTrip(r *http.Request) (*http.Response, error) {
	m := podLogPath.FindStringSubmatch(r.URL.Path)
	if r.Method != http.MethodGet || m == nil {
		return nil, fmt.Errorf("podLogsClientset: %s %s is not served", r.Method, r.URL.Path)
	}
	var since time.Time
	if s := r.URL.Query().Get("sinceTime"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("sinceTime %q: %w", s, err)
		}
		since = t
	}
	lines := l.pods.logsSince(pod{name: m[2], namespace: m[1]}, since)
	body := strings.Join(lines, "\n")
	if body != "" {
		body += "\n"
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"text/plain"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}
