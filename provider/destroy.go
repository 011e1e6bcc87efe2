package provider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// A `terraform destroy` first refreshes with a normal plan of the whole
// configuration (Terraform >= 1.3, hashicorp/terraform#32208), whose
// result it throws away, and nothing in the protocol says so. The plan-time
// dry-run would then refuse an invalid configuration and so block the
// destroy of everything. The provider process is started by the Terraform
// CLI, so the CLI's command line says whether this is a destroy; then
// there is nothing to validate, since a destroy writes nothing.
var destroying = sync.OnceValue(func() bool {
	return isDestroy(commandLine(os.Getppid()), os.Getenv)
})

// commandLine is the arguments of process pid, or nil where they cannot be
// read (then the dry-run runs as usual).
func commandLine(pid int) []string {
	if runtime.GOOS == "linux" {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err != nil {
			return nil
		}
		return strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	// macOS and the BSDs: ps splits at spaces, which only matters for
	// arguments with spaces in them, and those are not the flags looked at.
	out, err := exec.Command("ps", "-o", "args=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}

// isDestroy says whether args are those of a Terraform (or OpenTofu) CLI
// running `destroy`, or `plan`/`apply` with -destroy, also when that flag
// comes from TF_CLI_ARGS or TF_CLI_ARGS_<command>.
func isDestroy(args []string, getenv func(string) string) bool {
	if len(args) == 0 {
		return false
	}
	if base := filepath.Base(args[0]); !strings.Contains(base, "terraform") && !strings.Contains(base, "tofu") {
		return false
	}
	cmd, rest := "", []string(nil)
	for i, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			cmd, rest = a, args[i+2:]
			break
		}
	}
	switch cmd {
	case "destroy":
		return true
	case "plan", "apply":
		rest = append(rest, strings.Fields(getenv("TF_CLI_ARGS"))...)
		rest = append(rest, strings.Fields(getenv("TF_CLI_ARGS_"+cmd))...)
		for _, a := range rest {
			switch strings.TrimPrefix(a, "-") {
			case "-destroy", "destroy", "destroy=true", "-destroy=true":
				return true
			}
		}
	}
	return false
}
