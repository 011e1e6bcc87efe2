package provisioner

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// A module that fails gives a Failed state carrying Terraform's error, is
// retried with backoff, and recovers once the cause is fixed.
func TestFailingModuleIsRetriedAndRecovers(t *testing.T) {
	dataDir := t.TempDir()
	marker := filepath.Join(t.TempDir(), "ok")
	h := startProvisioner(t, Config{DataDir: dataDir, ModuleRoot: repoRoot(t), XDSAddress: "127.0.0.1:1"})
	vars, _ := json.Marshal(marker)
	h.infra.Store("flaky", &ir.Infra{Fleet: "flaky", Ports: []uint32{80}, Params: &ir.InfraParams{
		EnvoyFleet: "f", ModuleSource: "./controlplane/provisioner/testdata/modules/flaky", Replicas: 1,
		Variables: map[string]json.RawMessage{"marker": vars}}})

	waitFor(t, "a second failed attempt", func() bool {
		s := h.state("flaky")
		return s != nil && s.Phase == ir.FleetFailed && s.Attempts >= 2
	})
	s := h.state("flaky")
	if !strings.Contains(s.Error, "marker "+marker+" missing") || !strings.Contains(s.Error, "terraform apply") {
		t.Errorf("error %q does not carry the module's failure", s.Error)
	}
	if s.Applied || s.NextRetry.IsZero() {
		t.Errorf("failed state %+v", s)
	}
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "recovery", func() bool { s := h.state("flaky"); return s != nil && s.Applied })
	s = h.state("flaky")
	if s.Phase != ir.FleetReady || s.Error != "" || s.Attempts != 0 || len(s.Addresses) != 1 || s.Addresses[0] != "192.0.2.1" {
		t.Errorf("recovered state %+v", s)
	}
}

// The control plane SIGKILLed in the middle of an apply, then restarted,
// leaves exactly the replicas asked for and a state Terraform still reads;
// the restart plans and converges without destroying anything.
func TestKilledDuringApplyThenRestarted(t *testing.T) {
	dataDir := t.TempDir()
	killProxies(t, dataDir)
	_, xdsAddr := serveXDS(t)
	infra := &ir.Infra{Fleet: "eg", Ports: []uint32{8080}, Params: &ir.InfraParams{
		EnvoyFleet: "local", ModuleSource: "./modules/local", Replicas: 2}}
	cfg, _ := json.Marshal(childConfig{DataDir: dataDir, ModuleRoot: repoRoot(t), XDSAddress: xdsAddr,
		ProxyCommand: probeCommand(t), Infra: infra})
	self, _ := os.Executable()
	child := exec.Command(self, "-test.run=^$")
	child.Env = append(os.Environ(), "EG_TEST_PROVISIONER="+string(cfg))
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// A started proxy with no Terraform state yet: the apply is under way
	// (start.sh waits to see its proxy live before Terraform records it).
	waitFor(t, "a proxy started by the first control plane", func() bool { return len(proxies(t, dataDir)) > 0 })
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()

	h := startProvisioner(t, Config{DataDir: dataDir, ModuleRoot: repoRoot(t), XDSAddress: xdsAddr, ProxyCommand: probeCommand(t)})
	h.infra.Store("eg", infra)
	waitFor(t, "the restarted control plane to apply", func() bool { s := h.state("eg"); return s != nil && s.Applied })
	if n := len(proxies(t, dataDir)); n != 2 {
		t.Errorf("%d proxy processes after the restart, want 2", n)
	}
	state := terraformState(t, FleetDir(dataDir, "eg"))
	if !strings.Contains(state, "module.fleet.terraform_data.proxy[0]") || !strings.Contains(state, "module.fleet.terraform_data.proxy[1]") {
		t.Errorf("state list:\n%s", state)
	}

	// A second restart with nothing changed plans and applies nothing.
	h.stop()
	before := pidsOf(t, dataDir)
	h2 := startProvisioner(t, Config{DataDir: dataDir, ModuleRoot: repoRoot(t), XDSAddress: xdsAddr, ProxyCommand: probeCommand(t)})
	h2.infra.Store("eg", infra)
	waitFor(t, "the re-plan", func() bool { s := h2.state("eg"); return s != nil && s.Applied })
	if after := pidsOf(t, dataDir); after != before {
		t.Errorf("proxies changed across a restart: %s -> %s", before, after)
	}
	h2.infra.Delete("eg")
	waitFor(t, "destroy", func() bool { return h2.state("eg") == nil && len(proxies(t, dataDir)) == 0 })
}

func pidsOf(t *testing.T, dataDir string) string {
	return strings.Join(proxies(t, dataDir), ",")
}

func terraformState(t *testing.T, dir string) string {
	t.Helper()
	bin, err := FindTerraform(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "state", "list")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "..", "terraform.rc"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("terraform state list: %v\n%s", err, out)
	}
	return string(out)
}
