package cube

import (
	"encoding/xml"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xmppo/go-xmpp"
)

// stanzaFromChatDirect builds the MessageStanza of a message whose children are the
// ones a conversation is made of (extraParams, chat markers, chat states, an edit or
// a deletion) straight from go-xmpp's Chat, without writing the stanza out and
// reading it again: that second parse was a tenth of the client's CPU per live
// message (docs/benchmarks.md, issue 10, round 4). Only extraParams' content is
// parsed, on its own. It gives what rebuildStanza gives (chat_parse_direct_test.go
// checks that); false leaves the stanza to rebuildStanza.
func stanzaFromChatDirect(ch xmpp.Chat) (*MessageStanza, bool) {
	st := &MessageStanza{XMLName: xml.Name{Space: NSClient, Local: "message"},
		From: xmlText(ch.Remote), Type: xmlText(ch.Type), ID: xmlText(ch.ID)}
	if ch.Text != "" {
		body := xmlText(ch.Text)
		st.Body = &body
	}
	for _, el := range ch.OtherElem {
		if !addChild(st, el) {
			return nil, false
		}
	}
	if !ch.Stamp.IsZero() {
		st.Delay = &DelayElem{Stamp: ch.Stamp.UTC().Format(time.RFC3339Nano)}
	}
	return st, true
}

// addChild sets the field of st that el fills; false when el is not one of the
// children stanzaFromChatDirect reads, or would fill a field a second time.
func addChild(st *MessageStanza, el xmpp.XMLElement) bool {
	ns, name := el.XMLName.Space, el.XMLName.Local
	if name == "extraParams" { // any namespace, as MessageStanza's tag
		if st.Extra != nil || !onlyXMLNS(el.Attr) {
			return false
		}
		e, flat := flatExtraParams(el.InnerXML)
		if !flat {
			if err := xml.Unmarshal([]byte("<extraParams>"+el.InnerXML+"</extraParams>"), &e); err != nil {
				return false
			}
		}
		st.Extra = &e
		return true
	}
	if el.InnerXML != "" {
		return false
	}
	switch {
	case ns == NSChatMarkers && name == "markable" && st.Markable == nil:
		st.Markable = &Empty{}
	case ns == NSChatMarkers && name == "received" && st.Received == nil:
		id, ok := plainAttr(el.Attr, "id")
		st.Received = &MarkerElem{ID: id}
		return ok
	case ns == NSChatMarkers && name == "displayed" && st.Displayed == nil:
		id, ok := plainAttr(el.Attr, "id")
		st.Displayed = &MarkerElem{ID: id}
		return ok
	case ns == NSChatStates && name == "composing" && st.Composing == nil:
		st.Composing = &Empty{}
	case ns == NSChatStates && name == "paused" && st.Paused == nil:
		st.Paused = &Empty{}
	case ns == NSCorrect && name == "replace" && st.Replace == nil:
		id, ok := plainAttr(el.Attr, "id")
		last, lastOK := plainAttr(el.Attr, "last")
		st.Replace = &ReplaceElem{ID: id, Last: last}
		return ok && lastOK
	case ns == NSDelete && name == "remove" && st.Remove == nil:
		id, ok := plainAttr(el.Attr, "id")
		st.Remove = &RemoveElem{ID: id}
		return ok
	default:
		return false
	}
	return true
}

// onlyXMLNS tells whether attrs hold nothing but the element's own namespace.
func onlyXMLNS(attrs []xml.Attr) bool {
	for _, a := range attrs {
		if a.Name.Space != "" || a.Name.Local != "xmlns" {
			return false
		}
	}
	return true
}

// plainAttr is the value of the attribute name in no namespace ("" when absent);
// false when it is there twice (rebuildStanza would keep the last).
func plainAttr(attrs []xml.Attr, name string) (string, bool) {
	value, seen := "", false
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			if seen {
				return "", false
			}
			value, seen = xmlText(a.Value), true
		}
	}
	return value, true
}

// xmlText is s as it reads back after xml.EscapeText: what XML cannot carry (and
// bytes that are not UTF-8) becomes U+FFFD.
func xmlText(s string) string {
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		if !isXMLChar(r) || (r == utf8.RuneError && width == 1) {
			return replaceNonXML(s)
		}
		i += width
	}
	return s
}

// replaceNonXML replaces each rune XML cannot carry, and each byte that is not
// UTF-8, with U+FFFD.
func replaceNonXML(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		if !isXMLChar(r) || (r == utf8.RuneError && width == 1) {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+width])
		}
		i += width
	}
	return b.String()
}
