package cube

import (
	"strconv"
	"time"
)

// classify turns an incoming <message/> into the event it stands for, in the order
// ConnectyCube SDK 6 uses (docs/protocol.md §8.17): headline → system message; error →
// message error; then, with a sent or received carbon unwrapped, typing, edit, reaction, delete,
// marker (chat only) and finally new content. nil means the stanza is not reported.
func classify(st *MessageStanza, self int64, now time.Time) Event {
	switch st.Type {
	case HeadlineType:
		return systemMessageEvent(st)
	case ErrorType:
		return messageErrorEvent(st)
	}
	m, carbon, ok := unwrapCarbon(st, self)
	if !ok {
		return nil
	}
	if carbon != notCarbon && (m.Sent != nil || m.CarbonReceived != nil) {
		return nil // a carbon inside a carbon is never legitimate
	}
	switch {
	case m.Composing != nil || m.Paused != nil:
		return TypingEvent{DialogID: dialogOf(m), UserID: senderOf(m), Typing: m.Composing != nil}
	case m.Replace != nil:
		return EditEvent{MessageID: m.Replace.ID, DialogID: dialogOf(m), UserID: senderOf(m), Body: m.BodyText(),
			Last: m.Replace.Last == "true", Extra: m.Extra.Map()}
	case m.Reactions != nil:
		if carbon != notCarbon && m.Type == GroupChatType {
			return nil // as SDK 6: the room itself delivers group reactions
		}
		return reactionEvent(m)
	case m.Remove != nil:
		return DeleteEvent{MessageID: m.Remove.ID, DialogID: dialogOf(m), UserID: senderOf(m)}
	case m.Received != nil || m.Displayed != nil:
		if m.Type != ChatType {
			return nil
		}
		ev := MarkerEvent{Kind: MarkerDelivered, DialogID: dialogOf(m), UserID: senderOf(m)}
		if m.Received != nil {
			ev.MessageID = m.Received.ID
		} else {
			ev.Kind, ev.MessageID = MarkerRead, m.Displayed.ID
		}
		return ev
	}
	if ev, ok := messageEvent(st, self, now); ok {
		return ev
	}
	return nil
}

// unwrapCarbon returns the message a carbon (XEP-0280) carries, or st itself: a
// <sent/> copy of what this user sent from another resource, or a <received/> copy of
// what someone sent to another resource of this user. Only our own account may hand
// us copies: the outer from must be our bare JID (or absent, which means our account
// on the server, RFC 6120 §8.1.2.1); a carbon from anyone else is a forgery and is
// refused (ok false).
func unwrapCarbon(st *MessageStanza, self int64) (m *MessageStanza, kind carbonKind, ok bool) {
	wrap, kind := st.Sent, carbonSent
	if wrap == nil {
		wrap, kind = st.CarbonReceived, carbonReceived
	}
	if wrap == nil {
		return st, notCarbon, true
	}
	if st.From != "" {
		id, isUser := UserIDFromJID(st.From)
		if !isUser || id != self || IsRoomJID(st.From) || BareJID(st.From) != st.From {
			return nil, notCarbon, false
		}
	}
	if wrap.Forwarded.Message == nil {
		return nil, notCarbon, false
	}
	return wrap.Forwarded.Message, kind, true
}

// carbonKind says whether a message came as it is or as which kind of carbon.
type carbonKind int

const (
	notCarbon      carbonKind = iota
	carbonSent                // we sent it from another resource
	carbonReceived            // it was addressed to another resource of ours
)

// senderOf reads the sending user: the occupant resource in a room, else the JID.
func senderOf(m *MessageStanza) int64 {
	if m.Type == GroupChatType || IsRoomJID(m.From) {
		id, _ := SenderIDFromRoomJID(m.From)
		return id
	}
	id, _ := UserIDFromJID(m.From)
	return id
}

// dialogOf reads extraParams dialog_id, falling back to the room JID.
func dialogOf(m *MessageStanza) string {
	if id := m.Extra.Get("dialog_id"); id != "" {
		return id
	}
	if IsRoomJID(m.From) {
		return DialogIDFromRoomJID(m.From)
	}
	return ""
}

// reactionEvent reads <reactions user_id message_id><reaction type add|remove/>…
// (attributes, not namespaces, as the SDK reads them).
func reactionEvent(m *MessageStanza) ReactionEvent {
	ev := ReactionEvent{MessageID: m.Reactions.MessageID, DialogID: dialogOf(m)}
	if id, err := strconv.ParseInt(m.Reactions.UserID, 10, 64); err == nil && id > 0 {
		ev.UserID = id
	} else {
		ev.UserID = senderOf(m)
	}
	for _, r := range m.Reactions.Items {
		switch {
		case r.Add == "true":
			ev.Add = append(ev.Add, r.Type)
		case r.Remove == "true":
			ev.Remove = append(ev.Remove, r.Type)
		}
	}
	return ev
}

// systemMessageEvent reports SystemNotifications headlines; other modules (such as
// WebRTCVideoChat call signalling) are not chat and are left out.
func systemMessageEvent(st *MessageStanza) Event {
	if st.Extra.Get("moduleIdentifier") != ModuleSystemNotifications {
		return nil
	}
	params := st.Extra.Map()
	delete(params, "moduleIdentifier")
	from, _ := UserIDFromJID(st.From)
	return SystemMessageEvent{ID: st.ID, From: from, Body: st.BodyText(), Params: params}
}

// messageErrorEvent reads a bounced message. SDK 6 takes the legacy code attribute;
// when a server leaves it out, the code is derived from the condition (XEP-0086).
func messageErrorEvent(st *MessageStanza) Event {
	ev := MessageErrorEvent{ID: st.ID}
	if st.Error == nil {
		return ev
	}
	ev.Condition, ev.Text = st.Error.Condition.XMLName.Local, st.Error.Text
	if code, err := strconv.Atoi(st.Error.Code); err == nil {
		ev.Code = code
	} else {
		ev.Code = conditionCodes[ev.Condition]
	}
	return ev
}

// conditionCodes maps stanza error conditions to legacy codes (XEP-0086).
var conditionCodes = map[string]int{
	"bad-request": 400, "conflict": 409, "feature-not-implemented": 501, "forbidden": 403,
	"gone": 302, "internal-server-error": 500, "item-not-found": 404, "jid-malformed": 400,
	"not-acceptable": 406, "not-allowed": 405, "not-authorized": 401, "payment-required": 402,
	"policy-violation": 406, "recipient-unavailable": 404, "redirect": 302, "registration-required": 407,
	"remote-server-not-found": 404, "remote-server-timeout": 504, "resource-constraint": 500,
	"service-unavailable": 503, "subscription-required": 407, "undefined-condition": 500,
	"unexpected-request": 400,
}
