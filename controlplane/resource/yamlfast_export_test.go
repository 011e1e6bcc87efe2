package resource

// SimpleYAMLToJSON lets the external tests check the fast reader on the
// benchmark workload, whose package imports this one.
var SimpleYAMLToJSON = simpleYAMLToJSON

// SplitDocuments exposes the decoder's document split to the same tests.
func SplitDocuments(data []byte) [][]byte {
	var out [][]byte
	for _, d := range splitDocuments(data) {
		out = append(out, d.data)
	}
	return out
}
