package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// run executes the CLI in-process and returns stdout, stderr and the error.
func run(args ...string) (string, string, error) {
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

const quickstart = "../../../examples/quickstart"

func TestTranslateQuickstartStatus(t *testing.T) {
	out, _, err := run("translate", "-f", quickstart, "--to", "status")
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(out, "\n---\n")
	// 1 GatewayClass, 1 Gateway, 2 HTTPRoutes; the rest of the input is not status-bearing.
	if len(docs) != 4 {
		t.Fatalf("got %d documents, want 4:\n%s", len(docs), out)
	}
	for _, d := range docs {
		var obj struct {
			Kind   string `json:"kind"`
			Status struct {
				Conditions []struct{ Type, Status, Reason string } `json:"conditions"`
				Parents    []struct {
					Conditions []struct{ Type, Status, Reason string } `json:"conditions"`
				} `json:"parents"`
			} `json:"status"`
		}
		if err := yaml.Unmarshal([]byte(d), &obj); err != nil {
			t.Fatal(err)
		}
		conds := obj.Status.Conditions
		if obj.Kind == "HTTPRoute" {
			if len(obj.Status.Parents) != 1 {
				t.Fatalf("route has %d parents", len(obj.Status.Parents))
			}
			conds = obj.Status.Parents[0].Conditions
		}
		for _, c := range conds {
			if c.Type == "Conflicted" {
				continue
			}
			if c.Status != "True" {
				t.Errorf("%s condition %s is %s (%s); the quickstart must be all green", obj.Kind, c.Type, c.Status, c.Reason)
			}
		}
		if len(conds) == 0 {
			t.Errorf("%s has no conditions", obj.Kind)
		}
	}
}

func TestTranslateQuickstartXDSAndIR(t *testing.T) {
	out, _, err := run("translate", "-f", quickstart, "--to", "xds", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var x struct {
		Fleet string `json:"fleet"`
		Envoy struct {
			Listeners []map[string]any `json:"listeners"`
			Clusters  []map[string]any `json:"clusters"`
		} `json:"envoy"`
	}
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if x.Fleet != "eg" || len(x.Envoy.Listeners) != 1 || len(x.Envoy.Clusters) != 3 {
		t.Errorf("fleet %q, %d listeners, %d clusters; want eg, 1, 3", x.Fleet, len(x.Envoy.Listeners), len(x.Envoy.Clusters))
	}

	out, _, err = run("translate", "-f", quickstart, "--to", "ir")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "fleet: eg") || !strings.Contains(out, "hostname: www.example.com") {
		t.Errorf("IR output lacks the fleet or a hostname:\n%s", out)
	}
}

// Every Gateway API golden input must also render to valid xDS: the two
// translators are tested apart, and this keeps them agreeing. Some inputs
// break CRD rules on purpose (the translator must survive them), so they
// are decoded without the CRD validator.
func TestTranslateGoldenInputsToXDS(t *testing.T) {
	files, err := filepath.Glob("../../gatewayapi/testdata/*.in.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			res, _, errs := resource.LoadFiles(f)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			result := gatewayapi.Translate(res, gatewayapi.Options{})
			if _, err := xdsFleets(result); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTranslateRefusesBadInput(t *testing.T) {
	for name, args := range map[string][]string{
		"no files":     {"translate", "--to", "xds"},
		"bad --to":     {"translate", "-f", quickstart, "--to", "envoy"},
		"bad -o":       {"translate", "-f", quickstart, "-o", "toml"},
		"missing file": {"translate", "-f", "does-not-exist.yaml"},
	} {
		if _, _, err := run(args...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestBootstrapCommand(t *testing.T) {
	out, _, err := run("bootstrap", "--fleet", "web", "--xds-host", "10.0.0.7")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "cluster: web") || !strings.Contains(out, "address: 10.0.0.7") {
		t.Errorf("bootstrap output:\n%s", out)
	}
	if _, _, err := run("bootstrap"); err == nil {
		t.Error("bootstrap without --fleet accepted")
	}
}

// translate -f validates with the CRD rules (its validator is built while
// the file is read): a route breaking one is refused, naming the field.
func TestTranslateRefusesObjectTheCRDRejects(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "route.yaml")
	route := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
spec:
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: no-leading-slash
`
	if err := os.WriteFile(f, []byte(route), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := run("translate", "-f", f, "--to", "xds")
	if err == nil {
		t.Fatalf("accepted:\n%s", out)
	}
	if !strings.Contains(stderr, "spec.rules[0].matches[0].path") || !strings.Contains(stderr, "route.yaml") {
		t.Errorf("error does not name the file and field:\n%s", stderr)
	}
}
