package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/profiling"
)

// profileInterval: Terraform ends provider processes without letting main
// return, so a profile is written in pieces short enough that little is
// lost at the end. Merge them with `go tool pprof dir/*.pprof`.
const profileInterval = 500 * time.Millisecond

// ENVOYGATEWAY_CPUPROFILE_DIR profiles every provider process Terraform
// starts (tools/tfbench passes it through), for finding where a plan's
// time goes.
func init() {
	if dir := os.Getenv("ENVOYGATEWAY_CPUPROFILE_DIR"); dir != "" {
		go profilePieces(dir)
	}
}

func profilePieces(dir string) {
	for i := 0; ; i++ {
		stop, err := profiling.StartCPU(filepath.Join(dir, fmt.Sprintf("cpu-%d-%04d.pprof", os.Getpid(), i)))
		if err != nil {
			return
		}
		time.Sleep(profileInterval)
		stop()
	}
}
