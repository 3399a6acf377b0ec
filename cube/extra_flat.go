package cube

import (
	"strings"
	"unicode/utf8"
)

// flatExtraParams reads the content of an <extraParams/> element when it is the
// flat list a conversation's stanzas carry (<dialog_id>…</dialog_id><date_sent>…
// </date_sent>…): plain names, no attributes, text without references. It gives
// what xml.Unmarshal into ExtraParams gives, and false for anything else (nested
// values, attachments, references, namespaces, odd spacing), which the caller then
// reads with encoding/xml. Two stanzas of every live message (the message and its
// delivered marker) carry extraParams, and encoding/xml spent ~3 KB of garbage on
// each: a new Decoder and its token copies (docs/benchmarks.md, issue 10, round 8).
// extra_flat_test.go checks it against encoding/xml on every input it takes.
func flatExtraParams(inner string) (ExtraParams, bool) {
	var e ExtraParams
	s := skipXMLSpace(inner)
	for s != "" {
		if s[0] != '<' {
			return ExtraParams{}, false
		}
		name, rest, ok := flatName(s[1:])
		if !ok {
			return ExtraParams{}, false
		}
		var value string
		switch {
		case strings.HasPrefix(rest, "/>"):
			rest = rest[2:]
		case rest != "" && rest[0] == '>':
			rest = rest[1:]
			end := strings.IndexByte(rest, '<')
			if end < 0 || !plainText(rest[:end]) {
				return ExtraParams{}, false
			}
			value, rest = rest[:end], rest[end:]
			if !strings.HasPrefix(rest, "</") || !strings.HasPrefix(rest[2:], name) ||
				!strings.HasPrefix(rest[2+len(name):], ">") {
				return ExtraParams{}, false
			}
			rest = rest[2+len(name)+1:]
		default:
			return ExtraParams{}, false
		}
		if name == "attachment" {
			return ExtraParams{}, false // read with its attributes by encoding/xml
		}
		e.Params = append(e.Params, Param{Name: name, Value: value})
		s = skipXMLSpace(rest)
	}
	return e, true
}

// flatName reads an element name made of ASCII letters, digits, '_', '-' and '.',
// starting with a letter or '_' (no prefix: a prefixed name is namespaced).
func flatName(s string) (name, rest string, ok bool) {
	i := 0
	for i < len(s) {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '.')) {
			break
		}
		i++
	}
	if i == 0 {
		return "", "", false
	}
	return s[:i], s[i:], true
}

// skipXMLSpace drops the spaces, tabs and newlines between elements (a carriage
// return, which XML rewrites, is left for encoding/xml).
func skipXMLSpace(s string) string {
	return strings.TrimLeft(s, " \t\n")
}

// plainText tells whether s is character data that reads back as itself: no
// reference, no carriage return, no "]]>", and only characters XML allows.
func plainText(s string) bool {
	if strings.ContainsAny(s, "&\r") || strings.Contains(s, "]]>") {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && width == 1 || !isXMLChar(r) {
			return false
		}
		i += width
	}
	return true
}
