package file

import (
	"path/filepath"
	"testing"
)

// A ListenerSet in a watched file is published like any kind the
// translator reads, and follows edits of the file.
func TestListenerSetFromFile(t *testing.T) {
	dir := t.TempDir()
	set := func(host string) string {
		return `apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: apps}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners:
  - {name: web, port: 80, protocol: HTTP, hostname: ` + host + `}
`
	}
	path := filepath.Join(dir, "set.yaml")
	write(t, path, set("a.example.com"))
	h := start(t, dir, []string{dir})
	h.waitKeys("ListenerSet apps/team")
	hostname := func() string {
		if len(h.last.ListenerSets) != 1 || h.last.ListenerSets[0].Spec.Listeners[0].Hostname == nil {
			return ""
		}
		return string(*h.last.ListenerSets[0].Spec.Listeners[0].Hostname)
	}
	if got := hostname(); got != "a.example.com" {
		t.Fatalf("hostname %q", got)
	}
	write(t, path, set("b.example.com"))
	h.waitFor("the edited hostname", func([]string) bool { return hostname() == "b.example.com" })
}
