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
	eachMember(data, func(key string, plain bool, cur member) bool {
		if plain && key == name {
			m, ok = cur, true
		}
		return !ok
	})
	return m, ok
}

// eachMember calls fn with each top-level member of the JSON object data
// in order (key is raw, plain false if it holds escapes) until fn returns
// false. end is the index of the object's closing brace once every member
// was seen, and -1 if fn stopped or data is not an object it understands.
func eachMember(data []byte, fn func(key string, plain bool, m member) bool) (end int) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return -1
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return -1
		}
		start := i
		keyEnd, plain := skipString(data, i)
		if keyEnd < 0 {
			return -1
		}
		i = skipSpace(data, keyEnd)
		if i >= len(data) || data[i] != ':' {
			return -1
		}
		valueStart := skipSpace(data, i+1)
		end := skipValue(data, valueStart)
		if end < 0 {
			return -1
		}
		if !fn(string(data[start+1:keyEnd-1]), plain, member{start: start, valueStart: valueStart, end: end}) {
			return -1
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return -1
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return i
		default:
			return -1
		}
	}
}

// inserted is the compact object data, which has no member name, with
// "name":value added where json.Marshal of a map puts it (keys in order);
// ok is false if a key holds escapes, whose order the raw bytes do not
// tell.
func inserted(data []byte, name string, value []byte) (out []byte, ok bool) {
	at, first, plainKeys := -1, true, true
	end := eachMember(data, func(key string, plain bool, m member) bool {
		plainKeys = plainKeys && plain
		if at < 0 && key > name {
			at = m.start
		}
		first = false
		return plainKeys
	})
	if end < 0 || !plainKeys {
		return nil, false
	}
	out = make([]byte, 0, len(data)+len(name)+len(value)+4)
	switch {
	case at >= 0:
		out = append(out, data[:at]...)
		out = appendMember(out, name, value)
		out = append(out, ',')
		return append(out, data[at:]...), true
	case first:
		out = append(out, data[:end]...)
	default:
		out = append(out, data[:end]...)
		out = append(out, ',')
	}
	out = appendMember(out, name, value)
	return append(out, data[end:]...), true
}

func appendMember(out []byte, name string, value []byte) []byte {
	out = append(out, '"')
	out = append(out, name...)
	out = append(out, '"', ':')
	return append(out, value...)
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
