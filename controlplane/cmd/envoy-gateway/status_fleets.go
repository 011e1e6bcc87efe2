package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// envAdmin overrides the admin address `status` reads fleet states from.
const envAdmin = "ENVOYGATEWAY_ADMIN"

const defaultAdmin = "http://127.0.0.1:18081"

// fetchFleets reads the provisioner's fleet states from the server's admin
// endpoint. The admin endpoint is a separate, unauthenticated port (loopback
// by default), so a failure here is reported beside the objects, not as an
// error of the whole command.
func fetchFleets(ctx context.Context, admin string) ([]*ir.FleetState, error) {
	if admin == "" {
		admin = os.Getenv(envAdmin)
	}
	if admin == "" {
		admin = defaultAdmin
	}
	if !strings.Contains(admin, "://") {
		admin = "http://" + admin
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(admin, "/")+"/fleets", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the admin endpoint at %s: %w", admin, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("admin endpoint %s/fleets: %s", admin, resp.Status)
	}
	var fleets []*ir.FleetState
	if err := json.NewDecoder(resp.Body).Decode(&fleets); err != nil {
		return nil, fmt.Errorf("admin endpoint %s/fleets: %w", admin, err)
	}
	return fleets, nil
}

// printFleets writes one line per fleet: its phase, addresses, last run and
// the error of a failed run.
func printFleets(w io.Writer, fleets []*ir.FleetState, fetchErr error) error {
	fmt.Fprintln(w)
	if fetchErr != nil {
		fmt.Fprintf(w, "Fleets: unknown (%v).\n", fetchErr)
		return nil
	}
	if len(fleets) == 0 {
		fmt.Fprintln(w, "Fleets: none provisioned (the provisioner is off, or no GatewayClass has an EnvoyFleet).")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "FLEET\tPHASE\tADDRESSES\tLAST RUN\tDURATION\tERROR")
	for _, f := range fleets {
		last, dur := "-", "-"
		if !f.LastRun.IsZero() {
			last = f.LastRun.UTC().Format(time.RFC3339)
			dur = f.LastRunDuration.Round(time.Millisecond).String()
		}
		addrs := strings.Join(f.Addresses, ",")
		if addrs == "" {
			addrs = "-"
		}
		errText := f.Error
		if errText == "" {
			errText = "-"
		} else if f.Attempts > 0 {
			errText = fmt.Sprintf("%s (failed %d times; next try %s)", errText, f.Attempts, f.NextRetry.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Fleet, f.Phase, addrs, last, dur, errText)
	}
	return tw.Flush()
}
