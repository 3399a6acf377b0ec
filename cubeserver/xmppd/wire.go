package xmppd

import (
	"bytes"
	"encoding/xml"

	"github.com/cubechat/cubechat/cube"
)

// Namespaces of the stream layer (RFC 6120) that the cube package does not need.
const (
	nsStream  = "http://etherx.jabber.org/streams"
	nsStreams = "urn:ietf:params:xml:ns:xmpp-streams"
	nsTLS     = "urn:ietf:params:xml:ns:xmpp-tls"
	nsSASL    = "urn:ietf:params:xml:ns:xmpp-sasl"
	nsBind    = "urn:ietf:params:xml:ns:xmpp-bind"
	nsSession = "urn:ietf:params:xml:ns:xmpp-session"
	nsRoster  = "jabber:iq:roster"
	nsSM      = "urn:xmpp:sm:3"
)

// node is a generic element, used for IQ payloads whose shape varies by namespace.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

// attr returns the value of the attribute with the given local name, or "".
func (n *node) attr(local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// child returns the first child with the given local name, or nil.
func (n *node) child(local string) *node {
	for i := range n.Children {
		if n.Children[i].XMLName.Local == local {
			return &n.Children[i]
		}
	}
	return nil
}

// iqStanza is an incoming <iq/>: one payload child, read generically.
type iqStanza struct {
	XMLName xml.Name `xml:"jabber:client iq"`
	ID      string   `xml:"id,attr"`
	Type    string   `xml:"type,attr"`
	To      string   `xml:"to,attr"`
	From    string   `xml:"from,attr"`
	Payload []node   `xml:",any"`
}

// payload returns the first child that is not an <error/>, or nil.
func (iq *iqStanza) payload() *node {
	for i := range iq.Payload {
		if iq.Payload[i].XMLName.Local != "error" {
			return &iq.Payload[i]
		}
	}
	return nil
}

// iqReply is an outgoing <iq/>; Payload is any marshallable element (or nil).
type iqReply struct {
	XMLName xml.Name          `xml:"jabber:client iq"`
	Type    string            `xml:"type,attr"`
	ID      string            `xml:"id,attr,omitempty"`
	From    string            `xml:"from,attr,omitempty"`
	To      string            `xml:"to,attr,omitempty"`
	Payload any               `xml:",omitempty"`
	Error   *cube.StanzaError `xml:"error,omitempty"`
}

// bindResult is the payload of the resource binding answer.
type bindResult struct {
	XMLName xml.Name `xml:"urn:ietf:params:xml:ns:xmpp-bind bind"`
	JID     string   `xml:"jid"`
}

type emptyRoster struct {
	XMLName xml.Name `xml:"jabber:iq:roster query"`
}

// presenceStanza is an incoming <presence/>, with the MUC join marker if any.
type presenceStanza struct {
	XMLName xml.Name `xml:"jabber:client presence"`
	ID      string   `xml:"id,attr"`
	Type    string   `xml:"type,attr"`
	To      string   `xml:"to,attr"`
	MUC     *struct {
		XMLName xml.Name `xml:"http://jabber.org/protocol/muc x"`
	} `xml:"http://jabber.org/protocol/muc x"`
	Lang  string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Other []cube.XMLElem `xml:",any"` // show, status, priority, capabilities…: passed on as written
}

// presenceOut is an outgoing presence: MUC self-presence, a join error, or the
// presence of another resource of the user (own_presence.go).
type presenceOut struct {
	XMLName xml.Name          `xml:"jabber:client presence"`
	ID      string            `xml:"id,attr,omitempty"`
	Type    string            `xml:"type,attr,omitempty"`
	From    string            `xml:"from,attr,omitempty"`
	To      string            `xml:"to,attr,omitempty"`
	MUCUser *mucUserX         `xml:"http://jabber.org/protocol/muc#user x"`
	MUC     *mucX             `xml:"http://jabber.org/protocol/muc x"`
	Error   *cube.StanzaError `xml:"error,omitempty"`
	Lang    string            `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Other   []cube.XMLElem    `xml:",any"`
}

type mucX struct{}

type mucUserX struct {
	Item   mucItem     `xml:"item"`
	Status []mucStatus `xml:"status"`
}

type mucItem struct {
	Affiliation string `xml:"affiliation,attr"`
	Role        string `xml:"role,attr"`
	JID         string `xml:"jid,attr,omitempty"`
}

type mucStatus struct {
	Code string `xml:"code,attr"`
}

// saslAuth is <auth mechanism="…">base64</auth>.
type saslAuth struct {
	XMLName   xml.Name `xml:"urn:ietf:params:xml:ns:xmpp-sasl auth"`
	Mechanism string   `xml:"mechanism,attr"`
	Data      string   `xml:",chardata"`
}

// saslFailure is <failure xmlns=sasl><condition/><text/></failure>.
type saslFailure struct {
	XMLName   xml.Name `xml:"urn:ietf:params:xml:ns:xmpp-sasl failure"`
	Condition struct {
		XMLName xml.Name
	}
	Text string `xml:"urn:ietf:params:xml:ns:xmpp-sasl text,omitempty"`
}

// newSASLFailure puts the condition in the SASL namespace (RFC 6120 §6.5): without it
// the element would carry xmlns="" and standard clients could not read the reason.
func newSASLFailure(condition, text string) saslFailure {
	f := saslFailure{Text: text}
	f.Condition.XMLName = xml.Name{Space: nsSASL, Local: condition}
	return f
}

// features builds the <stream:features/> for the current stage. It redeclares the
// stream prefix so the element stands alone (as RFC 7395 WebSocket framing needs).
func features(offerStartTLS, requireStartTLS, offerAuth, offerBind bool) []byte {
	var b bytes.Buffer
	b.WriteString(`<stream:features xmlns:stream="` + nsStream + `">`)
	if offerStartTLS {
		b.WriteString(`<starttls xmlns="` + nsTLS + `">`)
		if requireStartTLS {
			b.WriteString(`<required/>`)
		}
		b.WriteString(`</starttls>`)
	}
	if offerAuth {
		b.WriteString(`<mechanisms xmlns="` + nsSASL + `">`)
		for _, m := range saslMechanisms {
			b.WriteString(`<mechanism>` + m + `</mechanism>`)
		}
		b.WriteString(`</mechanisms>`)
	}
	if offerBind {
		b.WriteString(`<bind xmlns="` + nsBind + `"/>`)
		b.WriteString(`<session xmlns="` + nsSession + `"><optional/></session>`)
		b.WriteString(smFeature)
	}
	b.WriteString(`</stream:features>`)
	return b.Bytes()
}

// Stream error conditions we raise (RFC 6120 §4.9.3).
const (
	condNotWellFormed   = "not-well-formed"
	condPolicyViolation = "policy-violation"
	condNotAuthorized   = "not-authorized"
	condConnTimeout     = "connection-timeout"
	condUnsupportedType = "unsupported-stanza-type"
	condInvalidNS       = "invalid-namespace"
	condSystemShutdown  = "system-shutdown"
	condUndefined       = "undefined-condition"
	condReset           = "reset"
)

// streamError renders <stream:error> with a fixed condition and an escaped text.
func streamError(condition, text string) []byte {
	var b bytes.Buffer
	b.WriteString(`<stream:error xmlns:stream="` + nsStream + `"><` + condition + ` xmlns="` + nsStreams + `"/>`)
	if text != "" {
		b.WriteString(`<text xmlns="` + nsStreams + `">`)
		_ = xml.EscapeText(&b, []byte(text))
		b.WriteString(`</text>`)
	}
	b.WriteString(`</stream:error>`)
	return b.Bytes()
}

// marshal renders an element; our structs always marshal, so a failure is a bug that
// is reported to the caller rather than written half-way to the wire.
// cube.Marshal gives xml.Marshal's bytes, without reflection for the message
// stanzas a conversation is made of.
func marshal(v any) ([]byte, error) {
	return cube.Marshal(v)
}
