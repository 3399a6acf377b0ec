package cube

import (
	"reflect"
	"testing"
	"time"
)

// classifyRaw runs a raw stanza through the reader's path: go-xmpp's view, our
// rebuilt stanza, then classify.
func classifyRaw(t *testing.T, raw string) Event {
	t.Helper()
	st, err := stanzaFromChat(chatFromXML(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	return classify(st, 7, time.Unix(1800000000, 0))
}

func TestClassifyIncomingStanzas(t *testing.T) {
	const ep = `<extraParams xmlns="jabber:client"><dialog_id>d1</dialog_id></extraParams>`
	cases := []struct {
		name string
		raw  string
		want Event
	}{
		{"group typing", `<message xmlns="jabber:client" from="1_d2@muc.localhost/8" type="groupchat"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>`,
			TypingEvent{DialogID: "d2", UserID: 8, Typing: true}},
		{"private paused has no dialog", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat"><paused xmlns="http://jabber.org/protocol/chatstates"/></message>`,
			TypingEvent{UserID: 8}},
		{"edit", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="n1"><body>fixed</body><replace xmlns="urn:xmpp:message-correct:0" id="m1" last="true"/>` + ep + `</message>`,
			EditEvent{MessageID: "m1", DialogID: "d1", UserID: 8, Body: "fixed", Last: true, Extra: map[string]any{"dialog_id": "d1"}}},
		{"reactions by attributes", `<message xmlns="jabber:client" from="1_d2@muc.localhost/8" type="groupchat" id="x"><reactions user_id="9" message_id="m1"><reaction add="true" type="👍"/><reaction remove="true" type="👎"/></reactions></message>`,
			ReactionEvent{MessageID: "m1", DialogID: "d2", UserID: 9, Add: []string{"👍"}, Remove: []string{"👎"}}},
		{"delete", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="n2"><remove xmlns="urn:xmpp:message-delete:0" id="m1"/>` + ep + `</message>`,
			DeleteEvent{MessageID: "m1", DialogID: "d1", UserID: 8}},
		{"delivered", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="n3"><received xmlns="urn:xmpp:chat-markers:0" id="m1"/>` + ep + `</message>`,
			MarkerEvent{Kind: MarkerDelivered, MessageID: "m1", DialogID: "d1", UserID: 8}},
		{"read", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="n4"><displayed xmlns="urn:xmpp:chat-markers:0" id="m1"/>` + ep + `</message>`,
			MarkerEvent{Kind: MarkerRead, MessageID: "m1", DialogID: "d1", UserID: 8}},
		{"marker in a group is ignored", `<message xmlns="jabber:client" from="1_d2@muc.localhost/8" type="groupchat" id="n5"><displayed xmlns="urn:xmpp:chat-markers:0" id="m1"/></message>`,
			nil},
		{"typing wins over a body", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="n6"><body>x</body><composing xmlns="http://jabber.org/protocol/chatstates"/></message>`,
			TypingEvent{UserID: 8, Typing: true}},
		{"system message", `<message xmlns="jabber:client" from="8-1@localhost/r" type="headline" id="s1"><body>dialog/NEW_DIALOG</body><extraParams xmlns="jabber:client"><moduleIdentifier>SystemNotifications</moduleIdentifier><dialog_id>d3</dialog_id><info><a>1</a></info></extraParams></message>`,
			SystemMessageEvent{ID: "s1", From: 8, Body: "dialog/NEW_DIALOG", Params: map[string]any{"dialog_id": "d3", "info": map[string]any{"a": "1"}}}},
		{"call signalling headline is not a system message", `<message xmlns="jabber:client" from="8-1@localhost/r" type="headline" id="s2"><extraParams xmlns="jabber:client"><moduleIdentifier>WebRTCVideoChat</moduleIdentifier></extraParams></message>`,
			nil},
		{"error with legacy code", `<message xmlns="jabber:client" from="8-1@localhost" type="error" id="m7"><body>hi</body><error type="cancel" code="503"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">Service not available.</text></error></message>`,
			MessageErrorEvent{ID: "m7", Code: 503, Condition: "service-unavailable", Text: "Service not available."}},
		{"error without code", `<message xmlns="jabber:client" from="8-1@localhost" type="error" id="m8"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
			MessageErrorEvent{ID: "m8", Code: 404, Condition: "item-not-found"}},
		{"carbon of our own read marker", `<message xmlns="jabber:client" from="7-1@localhost" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="7-1@localhost/phone" to="8-1@localhost" type="chat" id="n9"><displayed xmlns="urn:xmpp:chat-markers:0" id="m1"/>` + ep + `</message></forwarded></sent></message>`,
			MarkerEvent{Kind: MarkerRead, MessageID: "m1", DialogID: "d1", UserID: 7}},
		{"forged carbon from someone else", `<message xmlns="jabber:client" from="8-1@localhost" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="8-1@localhost/r" to="7-1@localhost" type="chat" id="n10"><remove xmlns="urn:xmpp:message-delete:0" id="m1"/></message></forwarded></sent></message>`,
			nil},
		{"carbon of a group reaction is ignored", `<message xmlns="jabber:client" from="7-1@localhost" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="7-1@localhost/phone" to="1_d2@muc.localhost" type="groupchat" id="n11"><reactions user_id="7" message_id="m1"><reaction add="true" type="👍"/></reactions></message></forwarded></sent></message>`,
			nil},
		{"empty chat message", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="n12"></message>`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := classifyRaw(t, tc.raw)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestClassifyNewMessageAndDeliveredAck(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		ack  bool
	}{
		{"private with dialog", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="m1"><body>hi</body><extraParams xmlns="jabber:client"><dialog_id>d1</dialog_id></extraParams></message>`, true},
		{"private without dialog", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="m2"><body>hi</body></message>`, false},
		{"markable without dialog", `<message xmlns="jabber:client" from="8-1@localhost/r" type="chat" id="m3"><body>hi</body><markable xmlns="urn:xmpp:chat-markers:0"/></message>`, true},
		{"group", `<message xmlns="jabber:client" from="1_d2@muc.localhost/8" type="groupchat" id="m4"><body>hi</body></message>`, true},
		{"our own group echo", `<message xmlns="jabber:client" from="1_d2@muc.localhost/7" type="groupchat" id="m5"><body>hi</body></message>`, false},
		{"our own carbon", `<message xmlns="jabber:client" from="7-1@localhost" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="7-1@localhost/phone" to="8-1@localhost" type="chat" id="m6"><body>hi</body><extraParams xmlns="jabber:client"><dialog_id>d1</dialog_id></extraParams></message></forwarded></sent></message>`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, ok := classifyRaw(t, tc.raw).(MessageEvent)
			if !ok {
				t.Fatalf("not a message event")
			}
			if got := needsDeliveredAck(ev, 7); got != tc.ack {
				t.Fatalf("ack = %v, want %v", got, tc.ack)
			}
		})
	}
}
