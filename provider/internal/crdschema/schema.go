// Package crdschema turns the OpenAPI schemas of the control plane's CRDs
// into Terraform schemas and converts objects between their JSON form and
// Terraform values. The schemas are trimmed copies of the CRDs (see
// ../gen), so the provider cannot drift from what the server validates.
package crdschema

import (
	"embed"
	"encoding/json"
	"fmt"
)

//go:generate go run ../gen -crds ../../../controlplane/resource/validation/crds -out data

// Schema is the part of an OpenAPI v3 schema the provider needs. The
// generator writes it; the provider only reads it.
type Schema struct {
	Type                 string             `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty"`
	Default              json.RawMessage    `json:"default,omitempty"`
	Enum                 []string           `json:"enum,omitempty"`
	ListType             string             `json:"x-kubernetes-list-type,omitempty"`
	ListMapKeys          []string           `json:"x-kubernetes-list-map-keys,omitempty"`
}

// TypeJSON marks a schema that allows any JSON value
// (x-kubernetes-preserve-unknown-fields); Terraform holds it as JSON text.
const TypeJSON = "x-json"

// Kind is one kind's schema, in the version the provider writes.
type Kind struct {
	Group      string  `json:"group"`
	Version    string  `json:"version"`
	Kind       string  `json:"kind"`
	Namespaced bool    `json:"namespaced"`
	Schema     *Schema `json:"schema"`
}

//go:embed data/*.json
var data embed.FS

// Load returns the schema of kind, as the generator wrote it.
func Load(kind string) (*Kind, error) {
	raw, err := data.ReadFile("data/" + kind + ".json")
	if err != nil {
		return nil, fmt.Errorf("no schema for kind %s: %w", kind, err)
	}
	k := &Kind{}
	if err := json.Unmarshal(raw, k); err != nil {
		return nil, fmt.Errorf("schema of %s: %w", kind, err)
	}
	return k, nil
}
