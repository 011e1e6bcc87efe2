package validation

import (
	"errors"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// FromJSON decodes one JSON object the way the API server does: whole
// numbers become int64, which integer fields in the schemas require.
func FromJSON(data []byte) (map[string]any, error) {
	var obj map[string]any
	if err := utiljson.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("not a JSON object")
	}
	return obj, nil
}

// FromYAML decodes one YAML document like FromJSON.
func FromYAML(data []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, err
	}
	return FromJSON(j)
}
