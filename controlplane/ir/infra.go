package ir

import (
	"encoding/json"
	"time"
)

// Infra is what the provisioner needs to create one fleet (GatewayClass):
// the infrastructure half of the IR, beside Xds.
type Infra struct {
	// Fleet is the GatewayClass name.
	Fleet string `json:"fleet"`
	// Ports are the fleet's listener ports, sorted: the proxies bind them
	// and the module opens them on its load balancer and firewall.
	Ports []uint32 `json:"ports,omitempty"`
	// Gateways are the class's Gateways as "namespace/name", sorted; the
	// fleet's state becomes their status.
	Gateways []string `json:"gateways,omitempty"`
	// Params come from the class's EnvoyFleet; nil when the class names
	// none, so there is nothing to provision.
	Params *InfraParams `json:"params,omitempty"`
	// GatewayInfra is what individual Gateways ask of the fleet's
	// infrastructure (static addresses, labels and annotations), sorted by
	// Gateway; only Gateways that ask for something are listed.
	GatewayInfra []GatewayInfra `json:"gatewayInfra,omitempty"`
}

// GatewayInfra is one Gateway's spec.addresses and spec.infrastructure.
type GatewayInfra struct {
	// Gateway is "namespace/name".
	Gateway string `json:"gateway"`
	// Addresses are the usable static addresses, in spec order; the
	// provisioner must bind these instead of allocating its own.
	Addresses []InfraAddress `json:"addresses,omitempty"`
	// Labels and Annotations are to be set on every resource the
	// provisioner creates for the Gateway.
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// InfraAddress is a static address: Type is "IPAddress" or "Hostname".
type InfraAddress struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// InfraParams are an EnvoyFleet's spec, with defaults applied.
type InfraParams struct {
	// EnvoyFleet is the name of the object these came from.
	EnvoyFleet    string `json:"envoyFleet"`
	ModuleSource  string `json:"moduleSource"`
	ModuleVersion string `json:"moduleVersion,omitempty"`
	// Variables are the user's module variables, as JSON values.
	Variables    map[string]json.RawMessage `json:"variables,omitempty"`
	Replicas     int32                      `json:"replicas"`
	EnvoyVersion string                     `json:"envoyVersion,omitempty"`
	// Backend nil means local state in the fleet's working directory.
	Backend *InfraBackend `json:"backend,omitempty"`
}

// InfraBackend is a Terraform backend type and its -backend-config values.
type InfraBackend struct {
	Type   string            `json:"type"`
	Config map[string]string `json:"config,omitempty"`
}

// FleetPhase is where a fleet's provisioning stands.
type FleetPhase string

const (
	// FleetPending: known, not yet run (or waiting for a retry).
	FleetPending FleetPhase = "Pending"
	// FleetApplying: a plan/apply is running.
	FleetApplying FleetPhase = "Applying"
	// FleetReady: the last apply of the current spec succeeded.
	FleetReady FleetPhase = "Ready"
	// FleetFailed: the last run failed; it is retried with backoff.
	FleetFailed FleetPhase = "Failed"
	// FleetDestroying: the class is gone; its infrastructure is destroyed.
	FleetDestroying FleetPhase = "Destroying"
)

// FleetState is what the provisioner publishes about one fleet.
type FleetState struct {
	Fleet string     `json:"fleet"`
	Phase FleetPhase `json:"phase"`
	// Applied is true once an apply of the current spec has succeeded; it
	// stays false while a changed spec is being applied.
	Applied bool `json:"applied"`
	// Addresses are the module's addresses output from the last
	// successful apply (kept while a later run is in progress or failed).
	Addresses []string `json:"addresses,omitempty"`
	// Error is the last run's error summary, empty after a success.
	Error string `json:"error,omitempty"`
	// LastRun is when the last run finished, and LastRunDuration how long
	// it took.
	LastRun         time.Time     `json:"lastRun,omitzero"`
	LastRunDuration time.Duration `json:"lastRunDuration,omitempty"`
	// NextRetry is when a failed run is tried again.
	NextRetry time.Time `json:"nextRetry,omitzero"`
	// Attempts counts consecutive failed runs.
	Attempts int `json:"attempts,omitempty"`
}
