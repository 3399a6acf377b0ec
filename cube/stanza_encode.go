package cube

import (
	"encoding/xml"
	"strconv"
	"unicode/utf8"
)

// Marshal renders a stanza exactly as xml.Marshal does. A message stanza of the
// shapes a conversation is made of (a message, a marker, typing, an edit or a
// deletion, with its extraParams) is written directly: encoding/xml's reflection
// was most of the cost of sending a message or a marker, on the client and again on
// the server that relays it (docs/benchmarks.md, issue 10, round 4). Anything else
// (carbons, errors, reactions, delays, unknown children, xml:lang) goes through
// xml.Marshal. stanza_encode_test.go checks both give the same bytes.
func Marshal(v any) ([]byte, error) {
	var m *MessageStanza
	switch s := v.(type) {
	case *MessageStanza:
		m = s
	case MessageStanza:
		m = &s
	}
	if m != nil {
		if b, ok := appendMessageStanza(make([]byte, 0, 512), m); ok {
			return b, nil
		}
	}
	return xml.Marshal(v)
}

// appendMessageStanza appends m as xml.Marshal renders it; false when m has a part
// it leaves to xml.Marshal.
func appendMessageStanza(b []byte, m *MessageStanza) ([]byte, bool) {
	if m.Lang != "" || m.Reactions != nil || m.Delay != nil || m.Sent != nil || m.CarbonReceived != nil ||
		m.Error != nil || len(m.Other) > 0 {
		return nil, false
	}
	b = append(b, `<message xmlns="jabber:client"`...)
	b = appendAttr(b, "from", m.From, true)
	b = appendAttr(b, "to", m.To, true)
	b = appendAttr(b, "type", m.Type, true)
	b = appendAttr(b, "id", m.ID, true)
	b = append(b, '>')
	if m.Body != nil {
		b = append(b, "<body>"...)
		b = appendEscaped(b, *m.Body, true)
		b = append(b, "</body>"...)
	}
	if m.Extra != nil {
		var ok bool
		if b, ok = appendExtraParams(b, m.Extra); !ok {
			return nil, false
		}
	}
	if m.Markable != nil {
		b = append(b, `<markable xmlns="`+NSChatMarkers+`"></markable>`...)
	}
	b = appendIDElem(b, m.Received, "received", NSChatMarkers)
	b = appendIDElem(b, m.Displayed, "displayed", NSChatMarkers)
	if m.Composing != nil {
		b = append(b, `<composing xmlns="`+NSChatStates+`"></composing>`...)
	}
	if m.Paused != nil {
		b = append(b, `<paused xmlns="`+NSChatStates+`"></paused>`...)
	}
	if m.Replace != nil {
		b = append(b, `<replace xmlns="`+NSCorrect+`"`...)
		b = appendAttr(b, "id", m.Replace.ID, false)
		b = appendAttr(b, "last", m.Replace.Last, true)
		b = append(b, "></replace>"...)
	}
	if m.Remove != nil {
		b = append(b, `<remove xmlns="`+NSDelete+`"`...)
		b = appendAttr(b, "id", m.Remove.ID, false)
		b = append(b, "></remove>"...)
	}
	return append(b, "</message>"...), true
}

// appendIDElem appends a marker element (<received id="…"/> and the like).
func appendIDElem(b []byte, e *MarkerElem, name, ns string) []byte {
	if e == nil {
		return b
	}
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, ` xmlns="`...)
	b = append(b, ns...)
	b = append(b, '"')
	b = appendAttr(b, "id", e.ID, false)
	b = append(b, "></"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendExtraParams appends what ExtraParams.MarshalXML writes; false for a key that
// is not a valid XML name (xml.Marshal then reports it).
func appendExtraParams(b []byte, e *ExtraParams) ([]byte, bool) {
	b = append(b, `<extraParams xmlns="jabber:client">`...)
	var ok bool
	if b, ok = appendParams(b, e.Params); !ok {
		return nil, false
	}
	for _, a := range e.Attachments {
		b = append(b, "<attachment"...)
		b = appendAttr(b, "type", a.Type, true)
		b = appendAttr(b, "id", a.ID, true)
		b = appendAttr(b, "uid", a.UID, true)
		b = appendAttr(b, "url", a.URL, true)
		b = appendAttr(b, "name", a.Name, true)
		b = appendIntAttr(b, "size", a.Size)
		b = appendIntAttr(b, "width", int64(a.Width))
		b = appendIntAttr(b, "height", int64(a.Height))
		b = appendIntAttr(b, "duration", int64(a.Duration))
		b = appendAttr(b, "content-type", a.ContentType, true)
		b = appendAttr(b, "data", a.Data, true)
		b = append(b, "></attachment>"...)
	}
	return append(b, "</extraParams>"...), true
}

// appendParams appends what encodeParams writes.
func appendParams(b []byte, params []Param) ([]byte, bool) {
	for _, p := range params {
		if !validXMLName(p.Name) {
			return nil, false
		}
		b = append(b, '<')
		b = append(b, p.Name...)
		b = append(b, '>')
		if len(p.Children) > 0 {
			var ok bool
			if b, ok = appendParams(b, p.Children); !ok {
				return nil, false
			}
		} else {
			b = appendEscaped(b, p.Value, false) // a CharData token: newlines stay
		}
		b = append(b, "</"...)
		b = append(b, p.Name...)
		b = append(b, '>')
	}
	return b, true
}

// appendAttr appends ` name="value"`; nothing for an empty value when omitEmpty.
func appendAttr(b []byte, name, value string, omitEmpty bool) []byte {
	if value == "" && omitEmpty {
		return b
	}
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	b = appendEscaped(b, value, true)
	return append(b, '"')
}

// appendIntAttr appends an integer attribute with omitempty.
func appendIntAttr(b []byte, name string, v int64) []byte {
	if v == 0 {
		return b
	}
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	b = strconv.AppendInt(b, v, 10)
	return append(b, '"')
}

// appendEscaped escapes s as encoding/xml does (EscapeText for attributes and
// element text, escapeNewline false for a CharData token): the five markup
// characters and tab, newline and carriage return as references, and anything that
// is not an XML character, or not UTF-8, as U+FFFD.
func appendEscaped(b []byte, s string, escapeNewline bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		i += width
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			if !escapeNewline {
				continue
			}
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if !isXMLChar(r) || (r == utf8.RuneError && width == 1) {
				esc = "\uFFFD"
				break
			}
			continue
		}
		b = append(b, s[last:i-width]...)
		b = append(b, esc...)
		last = i
	}
	return append(b, s[last:]...)
}
