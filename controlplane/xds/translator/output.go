package translator

import (
	"encoding/json"
	"fmt"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// YAML renders rs for people: the golden files, `envoy-gateway translate
// --to xds`. Field names are the proto names Envoy's documentation uses;
// the output is deterministic (YAML map keys are sorted, lists keep
// their order).
func (rs *ResourceSet) YAML() ([]byte, error) {
	envoy, err := rs.Envoy.jsonValue()
	if err != nil {
		return nil, err
	}
	grpc, err := rs.GRPC.jsonValue()
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(map[string]any{"fleet": rs.Fleet, "envoy": envoy, "grpc": grpc})
}

func (r *Resources) jsonValue() (map[string]any, error) {
	out := map[string]any{}
	groups := []struct {
		key string
		n   int
	}{{"listeners", len(r.Listeners)}, {"routes", len(r.Routes)}, {"clusters", len(r.Clusters)}, {"endpoints", len(r.Endpoints)}, {"secrets", len(r.Secrets)}}
	all := r.all()
	for _, g := range groups {
		var items []any
		for _, m := range all[:g.n] {
			v, err := protoJSON(redacted(m))
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		}
		all = all[g.n:]
		if len(items) > 0 {
			out[g.key] = items
		}
	}
	return out, nil
}

// protoJSON goes through encoding/json because protojson's own output is
// deliberately unstable in its whitespace.
func protoJSON(m validatable) (any, error) {
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%T %q: %w", m, nameOf(m), err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// redacted hides a Secret's private key behind a digest: this output is
// for people and logs, and a key must never reach either.
func redacted(m validatable) validatable {
	s, ok := m.(*tlsv3.Secret)
	if !ok {
		return m
	}
	key := s.GetTlsCertificate().GetPrivateKey().GetInlineBytes()
	if len(key) == 0 {
		return m
	}
	out := proto.Clone(s).(*tlsv3.Secret)
	out.GetTlsCertificate().PrivateKey = &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{
		InlineString: ir.PrivateKey(key).String(),
	}}
	return out
}
