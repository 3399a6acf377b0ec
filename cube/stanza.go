package cube

import (
	"encoding/xml"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// XML namespaces of the ConnectyCube XMPP dialect (docs/protocol.md §8).
const (
	NSClient          = "jabber:client"
	NSChatMarkers     = "urn:xmpp:chat-markers:0"
	NSChatStates      = "http://jabber.org/protocol/chatstates"
	NSCorrect         = "urn:xmpp:message-correct:0"
	NSDelete          = "urn:xmpp:message-delete:0"
	NSDelay           = "urn:xmpp:delay"
	NSCarbons         = "urn:xmpp:carbons:2"
	NSForward         = "urn:xmpp:forward:0"
	NSPrivacy         = "jabber:iq:privacy"
	NSLast            = "jabber:iq:last"
	NSStatusStreaming = "https://connectycube.com/protocol/status_streaming"
	NSMobile          = "http://tigase.org/protocol/mobile#v2"
	NSPing            = "urn:xmpp:ping"
	NSStanzas         = "urn:ietf:params:xml:ns:xmpp-stanzas"
	NSMUC             = "http://jabber.org/protocol/muc"
	NSMUCUser         = "http://jabber.org/protocol/muc#user"
	NSDiscoItems      = "http://jabber.org/protocol/disco#items"
)

// Message stanza types.
const (
	ChatType      = "chat"
	GroupChatType = "groupchat"
	HeadlineType  = "headline"
	ErrorType     = "error"
)

// ModuleSystemNotifications marks a headline as a ConnectyCube system message.
const ModuleSystemNotifications = "SystemNotifications"

// MessageStanza is an XMPP <message/> of the ConnectyCube dialect. Client and server
// build and read stanzas only through this struct, so user text is always escaped.
type MessageStanza struct {
	XMLName   xml.Name       `xml:"jabber:client message"`
	From      string         `xml:"from,attr,omitempty"`
	To        string         `xml:"to,attr,omitempty"`
	Type      string         `xml:"type,attr,omitempty"`
	ID        string         `xml:"id,attr,omitempty"`
	Lang      string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Body      *string        `xml:"body"`
	Extra     *ExtraParams   `xml:"extraParams"`
	Markable  *Empty         `xml:"urn:xmpp:chat-markers:0 markable"`
	Received  *MarkerElem    `xml:"urn:xmpp:chat-markers:0 received"`
	Displayed *MarkerElem    `xml:"urn:xmpp:chat-markers:0 displayed"`
	Composing *Empty         `xml:"http://jabber.org/protocol/chatstates composing"`
	Paused    *Empty         `xml:"http://jabber.org/protocol/chatstates paused"`
	Replace   *ReplaceElem   `xml:"urn:xmpp:message-correct:0 replace"`
	Remove    *RemoveElem    `xml:"urn:xmpp:message-delete:0 remove"`
	Reactions *ReactionsElem `xml:"reactions"`
	Delay     *DelayElem     `xml:"urn:xmpp:delay delay"`
	Sent      *CarbonElem    `xml:"urn:xmpp:carbons:2 sent"`
	// CarbonReceived is XEP-0280's <received/> (Received is the chat marker).
	CarbonReceived *CarbonElem  `xml:"urn:xmpp:carbons:2 received"`
	Error          *StanzaError `xml:"error"`
	// Other holds every child not modelled above, in order (stanza_children.go): the
	// server relays them untouched, so standard clients' extensions survive routing.
	Other []XMLElem `xml:",any"`
}

// Empty is an element with no content, such as <composing/>.
type Empty struct{}

// MarkerElem is a chat marker (<received id=…/> or <displayed id=…/>).
type MarkerElem struct {
	ID string `xml:"id,attr"`
}

// ReplaceElem is an edit of an earlier message (XEP-0308 with ConnectyCube's last flag).
type ReplaceElem struct {
	ID   string `xml:"id,attr"`
	Last string `xml:"last,attr,omitempty"`
}

// RemoveElem is a deletion of an earlier message.
type RemoveElem struct {
	ID string `xml:"id,attr"`
}

// ReactionsElem carries reaction changes for one message.
type ReactionsElem struct {
	UserID    string         `xml:"user_id,attr"`
	MessageID string         `xml:"message_id,attr"`
	Items     []ReactionElem `xml:"reaction"`
}

// ReactionElem is one added or removed reaction.
type ReactionElem struct {
	Type   string `xml:"type,attr"`
	Add    string `xml:"add,attr,omitempty"`
	Remove string `xml:"remove,attr,omitempty"`
}

// DelayElem is XEP-0203 delayed delivery.
type DelayElem struct {
	From  string `xml:"from,attr,omitempty"`
	Stamp string `xml:"stamp,attr"`
}

// CarbonElem wraps a forwarded copy of a message sent from, or to, another resource.
type CarbonElem struct {
	Forwarded struct {
		Message *MessageStanza `xml:"jabber:client message"`
	} `xml:"urn:xmpp:forward:0 forwarded"`
}

// StanzaError is an XMPP stanza error with ConnectyCube's legacy code attribute.
type StanzaError struct {
	Type      string      `xml:"type,attr,omitempty"`
	Code      string      `xml:"code,attr,omitempty"`
	Condition ErrCondElem `xml:",any"`
	Text      string      `xml:"urn:ietf:params:xml:ns:xmpp-stanzas text,omitempty"`
}

// ErrCondElem is the defined-condition child of an error, e.g. <service-unavailable/>.
type ErrCondElem struct {
	XMLName xml.Name
}

// MarshalXML writes the condition element, or nothing for an error that has none
// (encoding/xml would otherwise invent a <Condition> element from the field name).
func (c ErrCondElem) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	if c.XMLName.Local == "" {
		return nil
	}
	start := xml.StartElement{Name: c.XMLName}
	if c.XMLName.Space == "" {
		// Read from a child in no namespace (xmlns=""): say so, or it would inherit
		// jabber:client from the stanza and read back as a different element.
		start.Attr = []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ""}}
	}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	return enc.EncodeToken(start.End())
}

// NewStanzaError builds an error with a defined condition in the stanzas namespace.
func NewStanzaError(errType, code, condition, text string) *StanzaError {
	return &StanzaError{Type: errType, Code: code, Condition: ErrCondElem{XMLName: xml.Name{Space: NSStanzas, Local: condition}}, Text: text}
}

// ErrTextNoSuchUser is the text of the service-unavailable error that a message to an
// account that does not exist bounces with (RFC 6121 §8.5.1): it tells that apart
// from a privacy block, which bounces with the same condition and code.
const ErrTextNoSuchUser = "no such user"

// Str returns a pointer to s, for optional fields such as Body.
func Str(s string) *string { return &s }

// BodyText returns the body or "".
func (m *MessageStanza) BodyText() string {
	if m.Body == nil {
		return ""
	}
	return *m.Body
}

// Param is one child of <extraParams/>: a scalar (Value) or a nested object (Children).
type Param struct {
	Name     string
	Value    string
	Children []Param
}

// ExtraParams is the custom payload <extraParams xmlns="jabber:client">: named values in
// order, nested objects, and attachments written as <attachment/> attributes.
type ExtraParams struct {
	Params      []Param
	Attachments []Attachment
}

// Get returns the scalar value of a top-level parameter, or "".
func (e *ExtraParams) Get(name string) string {
	if e == nil {
		return ""
	}
	for _, p := range e.Params {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Has tells whether a top-level parameter is present.
func (e *ExtraParams) Has(name string) bool {
	if e == nil {
		return false
	}
	for _, p := range e.Params {
		if p.Name == name {
			return true
		}
	}
	return false
}

// Set replaces or appends a top-level scalar parameter.
func (e *ExtraParams) Set(name, value string) {
	for i, p := range e.Params {
		if p.Name == name {
			e.Params[i] = Param{Name: name, Value: value}
			return
		}
	}
	e.Params = append(e.Params, Param{Name: name, Value: value})
}

// Delete removes a top-level parameter.
func (e *ExtraParams) Delete(name string) {
	out := e.Params[:0]
	for _, p := range e.Params {
		if p.Name != name {
			out = append(out, p)
		}
	}
	e.Params = out
}

// Map returns the parameters as JSON-like values: strings and nested maps.
func (e *ExtraParams) Map() map[string]any {
	out := map[string]any{}
	if e == nil {
		return out
	}
	for _, p := range e.Params {
		out[p.Name] = p.value()
	}
	return out
}

func (p Param) value() any {
	if len(p.Children) == 0 {
		return p.Value
	}
	m := map[string]any{}
	for _, c := range p.Children {
		m[c.Name] = c.value()
	}
	return m
}

// ParamsFromMap turns JSON-like values into parameters, with keys sorted so the
// encoding is stable. Numbers and booleans become their text.
func ParamsFromMap(m map[string]any) []Param {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Param, 0, len(keys))
	for _, k := range keys {
		switch v := m[k].(type) {
		case map[string]any:
			out = append(out, Param{Name: k, Children: ParamsFromMap(v)})
		case nil:
			out = append(out, Param{Name: k})
		case string:
			out = append(out, Param{Name: k, Value: v})
		case float64:
			out = append(out, Param{Name: k, Value: strconv.FormatFloat(v, 'f', -1, 64)})
		default:
			out = append(out, Param{Name: k, Value: fmt.Sprint(v)})
		}
	}
	return out
}

// MarshalXML writes <extraParams xmlns="jabber:client">.
// The element's name is fixed by the protocol, whatever name the caller asked for.
func (e ExtraParams) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Space: NSClient, Local: "extraParams"}}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if err := encodeParams(enc, e.Params); err != nil {
		return err
	}
	for _, a := range e.Attachments {
		if err := enc.EncodeElement(a, xml.StartElement{Name: xml.Name{Local: "attachment"}}); err != nil {
			return err
		}
	}
	return enc.EncodeToken(start.End())
}

func encodeParams(enc *xml.Encoder, params []Param) error {
	for _, p := range params {
		if !validXMLName(p.Name) {
			return fmt.Errorf("cube: extraParams key %q is not a valid XML name", p.Name)
		}
		el := xml.StartElement{Name: xml.Name{Local: p.Name}}
		if err := enc.EncodeToken(el); err != nil {
			return err
		}
		if len(p.Children) > 0 {
			if err := encodeParams(enc, p.Children); err != nil {
				return err
			}
		} else if p.Value != "" {
			if err := enc.EncodeToken(xml.CharData(p.Value)); err != nil {
				return err
			}
		}
		if err := enc.EncodeToken(el.End()); err != nil {
			return err
		}
	}
	return nil
}

// validXMLName accepts the conservative subset of XML names that keys use.
func validXMLName(s string) bool {
	if s == "" || strings.HasPrefix(strings.ToLower(s), "xml") {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if i == 0 && !letter {
			return false
		}
		if !letter && !(r >= '0' && r <= '9') && r != '-' && r != '.' {
			return false
		}
	}
	return true
}

// UnmarshalXML reads parameters in order; <attachment/> children become Attachments.
func (e *ExtraParams) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "attachment" {
				e.Attachments = append(e.Attachments, attachmentFromAttrs(t.Attr))
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			p, err := decodeParam(d, t)
			if err != nil {
				return err
			}
			e.Params = append(e.Params, p)
		case xml.EndElement:
			return nil
		}
	}
}

func decodeParam(d *xml.Decoder, start xml.StartElement) (Param, error) {
	p := Param{Name: start.Name.Local}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return p, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			c, err := decodeParam(d, t)
			if err != nil {
				return p, err
			}
			p.Children = append(p.Children, c)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(p.Children) == 0 {
				p.Value = text.String()
			}
			return p, nil
		}
	}
}

func attachmentFromAttrs(attrs []xml.Attr) Attachment {
	var a Attachment
	for _, at := range attrs {
		v := at.Value
		switch at.Name.Local {
		case "type":
			a.Type = v
		case "id":
			a.ID = v
		case "uid":
			a.UID = v
		case "url":
			a.URL = v
		case "name":
			a.Name = v
		case "size":
			a.Size, _ = strconv.ParseInt(v, 10, 64)
		case "width":
			a.Width, _ = strconv.Atoi(v)
		case "height":
			a.Height, _ = strconv.Atoi(v)
		case "duration":
			a.Duration, _ = strconv.Atoi(v)
		case "content-type":
			a.ContentType = v
		case "data":
			a.Data = v
		}
	}
	return a
}
