package cube

// A catch-up decodes tens of thousands of messages, and custom parameters are rare:
// Message.UnmarshalJSON decodes the known fields once and looks for other keys with
// the byte scan below, decoding the whole object into a map only when one is there.

// hasUnknownKey tells whether the JSON object b (already known to be valid) has a
// top-level key that is not in known. A key it cannot compare plainly (one with an
// escape) counts as unknown, so the caller takes the careful path.
func hasUnknownKey(b []byte, known map[string]bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return true
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return true
		}
		switch b[i] {
		case '}':
			return false
		case ',':
			i++
			continue
		case '"':
		default:
			return true
		}
		end := i + 1
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				return true
			}
			end++
		}
		if end >= len(b) || !known[string(b[i+1:end])] {
			return true
		}
		i = skipSpace(b, end+1)
		if i >= len(b) || b[i] != ':' {
			return true
		}
		i = skipValue(b, skipSpace(b, i+1))
		if i < 0 {
			return true
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at i (the ',' or
// '}' that follows it), or -1.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; {
		case c == '"':
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return -1
			}
			i++
		case c == '{' || c == '[':
			depth++
			i++
		case c == '}' || c == ']':
			if depth == 0 {
				return i
			}
			depth--
			i++
		case c == ',' && depth == 0:
			return i
		default:
			i++
		}
	}
	return -1
}
