package server

// Stored values are json.Marshal of a map: one compact object, keys sorted,
// each written once. The status write-back and the publisher touch only
// one top-level member of them (status, or everything but spec), so they
// find it in the bytes instead of decoding and re-encoding the whole
// object; equivalence with the decoding path is tested (members_test.go).

// member is the byte span of one top-level member of a JSON object: from
// its key's opening quote to the end of its value.
type member struct {
	start, valueStart, end int
}

// findMember returns the top-level member named name of the JSON object
// data. ok is false if there is none, or data is not an object this
// scanner understands (it then stops rather than guess).
func findMember(data []byte, name string) (m member, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return member{}, false
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return member{}, false
		}
		start := i
		keyEnd, plain := skipString(data, i)
		if keyEnd < 0 {
			return member{}, false
		}
		i = skipSpace(data, keyEnd)
		if i >= len(data) || data[i] != ':' {
			return member{}, false
		}
		valueStart := skipSpace(data, i+1)
		end := skipValue(data, valueStart)
		if end < 0 {
			return member{}, false
		}
		if plain && string(data[start+1:keyEnd-1]) == name {
			return member{start: start, valueStart: valueStart, end: end}, true
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return member{}, false
		}
		switch data[i] {
		case ',':
			i++
		default: // '}' or garbage: no such member
			return member{}, false
		}
	}
}

// without is data with member m and one comma next to it removed.
func without(data []byte, m member) []byte {
	start, end := m.start, m.end
	if j := skipSpace(data, end); j < len(data) && data[j] == ',' {
		end = j + 1
	} else if k := lastNonSpace(data, start); k >= 0 && data[k] == ',' {
		start = k
	}
	out := make([]byte, 0, len(data)-(end-start))
	out = append(out, data[:start]...)
	return append(out, data[end:]...)
}

// replaced is data with member m's value replaced by value.
func replaced(data []byte, m member, value []byte) []byte {
	out := make([]byte, 0, len(data)-(m.end-m.valueStart)+len(value))
	out = append(out, data[:m.valueStart]...)
	out = append(out, value...)
	return append(out, data[m.end:]...)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

func lastNonSpace(data []byte, i int) int {
	for i--; i >= 0; i-- {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return -1
}

// skipString returns the index just past the string starting at data[i]
// (a '"'), or -1; plain is false if the string holds escapes.
func skipString(data []byte, i int) (end int, plain bool) {
	plain = true
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			plain = false
			i++
		case '"':
			return i + 1, plain
		}
	}
	return -1, false
}

// skipValue returns the index just past the JSON value starting at
// data[i], or -1.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		end, _ := skipString(data, i)
		return end
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				end, _ := skipString(data, i)
				if end < 0 {
					return -1
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	// A number, true, false or null runs to the next delimiter.
	for ; i < len(data); i++ {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}
