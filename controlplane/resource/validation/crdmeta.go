package validation

import "unicode/utf8"

// plainMetadata reports whether meta is a map that the trip through
// metav1.ObjectMeta (JSON into it, the converter back out) gives back as
// it is, with no unknown field: one holding only name and namespace
// strings and labels and annotations maps of strings, none of them empty
// (the way back leaves empty ones out) and all UTF-8 (JSON replaces bad
// bytes). Nearly every object's metadata is like that.
func plainMetadata(meta any) bool {
	m, ok := meta.(map[string]any)
	if !ok {
		return false
	}
	for key, v := range m {
		switch key {
		case "name", "namespace":
			if s, ok := v.(string); !ok || s == "" || !utf8.ValidString(s) {
				return false
			}
		case "labels", "annotations":
			if !plainStringMap(v) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func plainStringMap(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return false
	}
	for key, v := range m {
		if s, ok := v.(string); !ok || !utf8.ValidString(key) || !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
