package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

func TestPrintFleets(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := printFleets(&b, []*ir.FleetState{
		{Fleet: "eg", Phase: ir.FleetReady, Addresses: []string{"10.0.0.1", "10.0.0.2"}, LastRun: now, LastRunDuration: 2500 * time.Millisecond},
		{Fleet: "edge", Phase: ir.FleetFailed, Error: "apply: exit status 1", Attempts: 3, NextRetry: now.Add(time.Minute), LastRun: now},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"FLEET", "eg", "10.0.0.1,10.0.0.2", "2.5s", "2026-01-02T03:04:05Z", "edge", "apply: exit status 1 (failed 3 times; next try 2026-01-02T03:05:05Z)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	b.Reset()
	printFleets(&b, nil, errors.New("connection refused"))
	if !strings.Contains(b.String(), "Fleets: unknown (connection refused)") {
		t.Errorf("unreachable admin: %q", b.String())
	}
	b.Reset()
	printFleets(&b, nil, nil)
	if !strings.Contains(b.String(), "none provisioned") {
		t.Errorf("no fleets: %q", b.String())
	}
}

func TestFetchFleetsFromAdmin(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/fleets" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode([]*ir.FleetState{{Fleet: "eg", Phase: ir.FleetApplying}})
	}))
	defer srv.Close()
	got, err := fetchFleets(context.Background(), strings.TrimPrefix(srv.URL, "http://"))
	if err != nil || len(got) != 1 || got[0].Phase != ir.FleetApplying {
		t.Fatalf("got %+v, %v", got, err)
	}
	srv.Close()
	if _, err := fetchFleets(context.Background(), srv.URL); err == nil || !strings.Contains(err.Error(), "cannot reach the admin endpoint") {
		t.Errorf("closed server: %v", err)
	}
}
