package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/apiclient/apiclienttest"
)

// startServer runs a config server with the translator, so objects get
// status, and returns the flags that reach it.
func startServer(t *testing.T) (*apiclienttest.Server, []string) {
	t.Helper()
	s := apiclienttest.Start(t, apiclienttest.Options{Translator: true})
	return s, []string{"--server", s.Endpoint, "--token", s.Token}
}

func TestApplyGetDelete(t *testing.T) {
	_, conn := startServer(t)
	out, _, err := runCLI(t, "", append([]string{"apply", "-f", validFile}, conn...)...)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	want := "gatewayclass.gateway.networking.k8s.io/eg created\n" +
		"gateway.gateway.networking.k8s.io/team-a/gw created\n" +
		"httproute.gateway.networking.k8s.io/team-a/shop created\n" +
		"service/team-a/shop created\n"
	if out != want {
		t.Fatalf("apply printed\n%s\nwant\n%s", out, want)
	}
	out, _, err = runCLI(t, "", append([]string{"apply", "-f", validFile}, conn...)...)
	if err != nil || strings.Count(out, " unchanged\n") != 4 {
		t.Fatalf("re-apply: %v\n%s", err, out)
	}

	// The translator writes status back; the table shows it once it has.
	var table string
	waitFor(t, "the route to be accepted", func() bool {
		table, _, err = runCLI(t, "", append([]string{"get", "httproutes", "-A"}, conn...)...)
		return err == nil && rowMatches(table, "team-a", "shop", "True", "-", "Accepted")
	})
	if !strings.HasPrefix(table, "NAMESPACE") || !strings.Contains(table, "ACCEPTED") {
		t.Fatalf("table header:\n%s", table)
	}
	waitFor(t, "the gateway to be accepted", func() bool {
		table, _, err = runCLI(t, "", append([]string{"get", "gw", "-n", "team-a"}, conn...)...)
		return err == nil && rowMatches(table, "gw", "True")
	})
	if strings.Contains(table, "NAMESPACE") {
		t.Fatalf("namespace column without -A:\n%s", table)
	}

	// One object by name as JSON, a list as YAML.
	out, _, err = runCLI(t, "", append([]string{"get", "httproute", "shop", "-n", "team-a", "-o", "json"}, conn...)...)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(out), &obj); err != nil || obj["kind"] != "HTTPRoute" {
		t.Fatalf("get -o json: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "", append([]string{"get", "gc", "-o", "yaml"}, conn...)...)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Kind  string           `json:"kind"`
		Items []map[string]any `json:"items"`
	}
	if err := yaml.Unmarshal([]byte(out), &list); err != nil || list.Kind != "List" || len(list.Items) != 1 {
		t.Fatalf("get gc -o yaml: %v\n%s", err, out)
	}
	// A label selector.
	_, stderr, err := runCLI(t, "", append([]string{"get", "httproutes", "-n", "team-a", "-l", "app=other"}, conn...)...)
	if err != nil || !strings.Contains(stderr, "No httproutes found") {
		t.Fatalf("selector matching nothing: %v %q", err, stderr)
	}

	out, _, err = runCLI(t, "", append([]string{"delete", "httproute", "shop", "-n", "team-a"}, conn...)...)
	if err != nil || out != "httproute.gateway.networking.k8s.io \"shop\" deleted\n" {
		t.Fatalf("delete: %v %q", err, out)
	}
	_, stderr, err = runCLI(t, "", append([]string{"delete", "httproute", "shop", "-n", "team-a"}, conn...)...)
	if err == nil || !strings.Contains(stderr, "not found") {
		t.Fatalf("deleting it again: %v %q", err, stderr)
	}
	if _, _, err = runCLI(t, "", append([]string{"get", "httproute", "shop", "-n", "team-a"}, conn...)...); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("get after delete: %v", err)
	}
}

func TestApplyRejected(t *testing.T) {
	_, conn := startServer(t)
	out, _, err := runCLI(t, "", append([]string{"apply", "-f", validFile, "-f", invalidFile}, conn...)...)
	if err == nil {
		t.Fatalf("apply of invalid objects succeeded:\n%s", out)
	}
	t.Logf("apply output:\n%s", out)
	if !strings.Contains(err.Error(), "nothing was applied") {
		t.Fatalf("error %q", err)
	}
	// Each rejection names its file and the document in that file, and the field.
	for _, want := range []string{
		invalidFile + ": document 0: httproute.gateway.networking.k8s.io/no-slash rejected: spec.rules[0].matches[0].path: Invalid value",
		invalidFile + ": document 1: gateway.gateway.networking.k8s.io/team-a/twins rejected: spec.listeners[1]: Duplicate value",
		"gatewayclass.gateway.networking.k8s.io/eg not applied",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, "", append([]string{"get", "gc"}, conn...)...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "eg") {
		t.Fatalf("a rejected apply stored objects:\n%s", out)
	}
}

func TestApplyUnreadableNamesTheFile(t *testing.T) {
	_, conn := startServer(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("# header\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nkind: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, "", append([]string{"apply", "-f", validFile, "-f", bad}, conn...)...)
	if err == nil || !strings.HasPrefix(err.Error(), bad+":6: document 1: invalid YAML") {
		t.Fatalf("got %v, want the file, line and document of the bad YAML", err)
	}
}

func TestApplyDryRunShowsStatus(t *testing.T) {
	_, conn := startServer(t)
	out, _, err := runCLI(t, "", append([]string{"apply", "-f", validFile, "--dry-run", "-o", "json"}, conn...)...)
	if err != nil {
		t.Fatal(err)
	}
	var res apiclient.ApplyResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	route := res.Items[2]
	if route.Kind != "HTTPRoute" || route.File != validFile || route.Object == nil {
		t.Fatalf("route item: %+v", route)
	}
	if r := rowOf(route.Object); r.Accepted != "True" {
		t.Fatalf("dry-run route status: %v", route.Object.Object["status"])
	}
	if out, _, _ := runCLI(t, "", append([]string{"get", "httproutes", "-A"}, conn...)...); strings.Contains(out, "shop") {
		t.Fatal("dry-run stored the route")
	}
}

func TestStatusCommand(t *testing.T) {
	s, conn := startServer(t)
	if _, _, err := runCLI(t, "", append([]string{"apply", "-f", validFile}, conn...)...); err != nil {
		t.Fatal(err)
	}
	var out string
	waitFor(t, "status for every object", func() bool {
		var err error
		out, _, err = runCLI(t, "", append([]string{"status"}, conn...)...)
		return err == nil && rowMatches(out, "GatewayClass", "eg", "True") && rowMatches(out, "HTTPRoute", "team-a", "shop", "True")
	})
	t.Logf("status:\n%s", out)
	if !strings.HasPrefix(out, "Config server "+s.Endpoint+" is up") || strings.Contains(out, "Service") {
		t.Fatalf("status:\n%s", out)
	}
	out, _, err := runCLI(t, "", append([]string{"status", "-o", "json"}, conn...)...)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Server  string      `json:"server"`
		Objects []statusRow `json:"objects"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Server != s.Endpoint || len(st.Objects) != 3 {
		t.Fatalf("status -o json: %v\n%s", err, out)
	}
	if kinds := st.Objects[0].Kind + "," + st.Objects[1].Kind + "," + st.Objects[2].Kind; kinds != "GatewayClass,Gateway,HTTPRoute" {
		t.Fatalf("order %s", kinds)
	}
}

func TestClientErrors(t *testing.T) {
	s, _ := startServer(t)
	_, _, err := runCLI(t, "", "get", "gc", "--server", s.Endpoint, "--token", "wrong")
	if err == nil || !strings.Contains(err.Error(), "refused the credentials (401") {
		t.Fatalf("bad token: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	_, _, err = runCLI(t, "", "status", "--server", "http://"+dead, "--token", "x")
	if err == nil || !strings.Contains(err.Error(), "cannot reach the config server at http://"+dead+": connection refused") {
		t.Fatalf("unreachable: %v", err)
	}
	_, _, err = runCLI(t, "", "get", "deployments", "--server", s.Endpoint, "--token", s.Token)
	if err == nil || !strings.Contains(err.Error(), `no resource type "deployments"`) {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestClientFromEnvironment(t *testing.T) {
	s, _ := startServer(t)
	t.Setenv(apiclient.EnvEndpoint, s.Endpoint)
	t.Setenv(apiclient.EnvToken, "")
	t.Setenv(apiclient.EnvTokenFile, s.TokenFile)
	if _, _, err := runCLI(t, "", "get", "gc"); err != nil {
		t.Fatalf("endpoint and token file from the environment: %v", err)
	}
	t.Setenv(apiclient.EnvToken, s.Token)
	t.Setenv(apiclient.EnvTokenFile, "")
	if _, _, err := runCLI(t, "", "get", "gc"); err != nil {
		t.Fatalf("token from the environment: %v", err)
	}
	// A flag beats the environment.
	if _, _, err := runCLI(t, "", "get", "gc", "--token", "wrong"); err == nil {
		t.Fatal("--token did not override the environment")
	}
}

// rowMatches reports whether some line of a table has these cells in order.
func rowMatches(table string, cells ...string) bool {
	var parts []string
	for _, c := range cells {
		parts = append(parts, regexp.QuoteMeta(c))
	}
	re := regexp.MustCompile(`(?m)^(\S+\s+)*?` + strings.Join(parts, `\s+`) + `(\s|$)`)
	return re.MatchString(table)
}

// waitFor polls cond until it holds; status is written back asynchronously.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
