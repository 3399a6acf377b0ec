package cube

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/xmppo/go-xmpp"
)

// timeNow is the clock for messages that carry no date; tests replace it.
var timeNow = time.Now

// stanzaFromChat rebuilds the whole <message/> from go-xmpp's Chat so that every child
// is read by our own MessageStanza. go-xmpp keeps unknown children (extraParams,
// markers, carbons, errors…) raw in OtherElem, but consumes some on its own:
//   - <body>, <subject>, <thread>: only their text survives (an empty body is lost);
//   - <delay>: only a UTC stamp survives (a stamp with another offset becomes zero,
//     and then the delay cannot be seen at all);
//   - any <x> child is swallowed by its Oob field, whatever its namespace;
//   - the "to" attribute is dropped (for us it is our own JID anyway).
func stanzaFromChat(ch xmpp.Chat) (*MessageStanza, error) {
	if st, ok := stanzaFromChatDirect(ch); ok {
		return st, nil
	}
	return rebuildStanza(ch)
}

// rebuildStanza is stanzaFromChat's general way: the stanza is written out again and
// read whole by MessageStanza.
func rebuildStanza(ch xmpp.Chat) (*MessageStanza, error) {
	var b strings.Builder
	b.WriteString(`<message xmlns="jabber:client"`)
	writeAttr(&b, "from", ch.Remote)
	writeAttr(&b, "type", ch.Type)
	writeAttr(&b, "id", ch.ID)
	b.WriteString(">")
	if ch.Text != "" {
		b.WriteString("<body>")
		_ = xml.EscapeText(&b, []byte(ch.Text))
		b.WriteString("</body>")
	}
	for _, el := range ch.OtherElem {
		writeElement(&b, el)
	}
	if !ch.Stamp.IsZero() {
		b.WriteString(`<delay xmlns="urn:xmpp:delay"`)
		writeAttr(&b, "stamp", ch.Stamp.UTC().Format(time.RFC3339Nano))
		b.WriteString("/>")
	}
	b.WriteString("</message>")
	var m MessageStanza
	if err := xml.Unmarshal([]byte(b.String()), &m); err != nil {
		return nil, fmt.Errorf("cube: cannot read message %q: %w", ch.ID, err)
	}
	return &m, nil
}

func writeAttr(b *strings.Builder, name, value string) {
	if value == "" {
		return
	}
	b.WriteString(" " + name + `="`)
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString(`"`)
}

// writeElement re-serialises one raw child: its namespace, its plain attributes and
// prefix declarations (the inner XML may use them), then the inner XML verbatim.
func writeElement(b *strings.Builder, el xmpp.XMLElement) {
	b.WriteString("<" + el.XMLName.Local)
	writeAttr(b, "xmlns", el.XMLName.Space)
	for _, a := range el.Attr {
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			// already written from XMLName
		case a.Name.Space == "xmlns":
			writeAttr(b, "xmlns:"+a.Name.Local, a.Value)
		case a.Name.Space == "":
			writeAttr(b, a.Name.Local, a.Value)
		}
	}
	b.WriteString(">" + el.InnerXML + "</" + el.XMLName.Local + ">")
}

// reservedParams are extraParams keys with a protocol meaning; they are not custom
// parameters of the message.
var reservedParams = map[string]bool{"save_to_history": true, "dialog_id": true, "date_sent": true, "moduleIdentifier": true}

// messageEvent maps an incoming stanza to a new-message event. ok is false for
// everything that is not new chat content: typing, markers, edits, deletions,
// reactions, errors, headlines, empty messages, and carbons not from our account.
func messageEvent(st *MessageStanza, self int64, now time.Time) (ev MessageEvent, ok bool) {
	ev.Stanza = st
	m, carbon, ok := unwrapCarbon(st, self)
	if !ok {
		return ev, false
	}
	ev.Carbon = carbon == carbonSent
	ev.ReceivedCarbon = carbon == carbonReceived
	if !isChatContent(m) {
		return ev, false
	}
	ev.Delayed = st.Delay != nil || m.Delay != nil
	ev.Message = stanzaMessage(m, self, now)
	return ev, true
}

// isChatContent: a chat or groupchat message with a body or attachments, and no
// child that makes it a signal about another message.
func isChatContent(m *MessageStanza) bool {
	if m.Type != ChatType && m.Type != GroupChatType {
		return false
	}
	if m.Composing != nil || m.Paused != nil || m.Replace != nil || m.Remove != nil ||
		m.Reactions != nil || m.Received != nil || m.Displayed != nil || m.Error != nil {
		return false
	}
	return m.BodyText() != "" || (m.Extra != nil && len(m.Extra.Attachments) > 0)
}

// stanzaMessage maps a chat message stanza to the stored-message shape.
func stanzaMessage(m *MessageStanza, self int64, now time.Time) Message {
	msg := Message{ID: m.ID, Message: m.BodyText(), ChatDialogID: m.Extra.Get("dialog_id")}
	if m.Type == GroupChatType || IsRoomJID(m.From) {
		msg.SenderID, _ = SenderIDFromRoomJID(m.From)
		if msg.ChatDialogID == "" {
			msg.ChatDialogID = DialogIDFromRoomJID(m.From)
		}
	} else {
		msg.SenderID, _ = UserIDFromJID(m.From)
		msg.RecipientID = self
		if m.To != "" {
			msg.RecipientID, _ = UserIDFromJID(m.To)
		}
	}
	msg.DateSent = dateSent(m, now)
	if m.Extra != nil {
		msg.Attachments = m.Extra.Attachments
		for k, v := range m.Extra.Map() {
			if reservedParams[k] {
				continue
			}
			if msg.Custom == nil {
				msg.Custom = map[string]any{}
			}
			msg.Custom[k] = v
		}
	}
	if msg.SenderID > 0 {
		// What the server stores for a fresh message.
		msg.ReadIDs, msg.DeliveredIDs = []int64{msg.SenderID}, []int64{msg.SenderID}
	}
	return msg
}

// dateSent: extraParams date_sent (seconds, or milliseconds from Dart), else the delay
// stamp, else now; always unix seconds.
func dateSent(m *MessageStanza, now time.Time) int64 {
	if v := m.Extra.Get("date_sent"); v != "" {
		if t, err := ParseTime(v); err == nil {
			return t.Unix()
		}
	}
	if m.Delay != nil {
		if t, err := ParseTime(m.Delay.Stamp); err == nil {
			return t.Unix()
		}
	}
	return now.Unix()
}
