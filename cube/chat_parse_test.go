package cube

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/xmppo/go-xmpp"
)

// chatFromXML decodes a <message/> the way go-xmpp's Recv does (same struct tags for
// body, delay and the ",any" children, same stamp layout), giving the xmpp.Chat that
// the reader would see.
func chatFromXML(t *testing.T, raw string) xmpp.Chat {
	t.Helper()
	var m struct {
		From  string            `xml:"from,attr"`
		ID    string            `xml:"id,attr"`
		Type  string            `xml:"type,attr"`
		Body  string            `xml:"body"`
		Other []xmpp.XMLElement `xml:",any"`
		Delay struct {
			Stamp string `xml:"stamp,attr"`
		} `xml:"delay"`
	}
	if err := xml.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("test stanza: %v", err)
	}
	stamp, _ := time.Parse("2006-01-02T15:04:05Z", m.Delay.Stamp)
	return xmpp.Chat{Remote: m.From, Type: m.Type, Text: m.Body, ID: m.ID, OtherElem: m.Other, Stamp: stamp}
}

func TestIncomingMessages(t *testing.T) {
	const self = 7
	now := time.Unix(1800000000, 0)
	cases := []struct {
		name           string
		raw            string
		want           Message
		delayed        bool
		carbon         bool
		receivedCarbon bool
	}{
		{
			name: "groupchat: sender from resource, dialog from room, milliseconds",
			raw: `<message xmlns="jabber:client" from="1_d1@muc.localhost/5" type="groupchat" id="m1"><body>hi all</body>` +
				`<extraParams xmlns="jabber:client"><save_to_history>1</save_to_history><date_sent>1700000000123</date_sent></extraParams></message>`,
			want: Message{ID: "m1", ChatDialogID: "d1", Message: "hi all", SenderID: 5, DateSent: 1700000000},
		},
		{
			name: "private with dialog id, custom params, attachment and hostile text",
			raw: `<message xmlns="jabber:client" from="8-1@localhost/res" type="chat" id="m2"><body>&lt;/body&gt; &amp; "x"</body>` +
				`<extraParams xmlns="jabber:client"><dialog_id>d2</dialog_id><date_sent>1700000001</date_sent><country>NZ</country>` +
				`<geo><lat>1</lat></geo><attachment type="image" uid="u1" size="7"/></extraParams></message>`,
			want: Message{ID: "m2", ChatDialogID: "d2", Message: `</body> & "x"`, SenderID: 8, RecipientID: self, DateSent: 1700000001,
				Attachments: []Attachment{{Type: "image", UID: "u1", Size: 7}},
				Custom:      map[string]any{"country": "NZ", "geo": map[string]any{"lat": "1"}}},
		},
		{
			name: "offline delivery: date from the delay stamp",
			raw: `<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="m3"><body>late</body>` +
				`<delay xmlns="urn:xmpp:delay" stamp="2023-11-14T22:13:20Z"/></message>`,
			want:    Message{ID: "m3", Message: "late", SenderID: 8, RecipientID: self, DateSent: 1700000000},
			delayed: true,
		},
		{
			name: "no date at all: now",
			raw:  `<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="m4"><body>now</body></message>`,
			want: Message{ID: "m4", Message: "now", SenderID: 8, RecipientID: self, DateSent: 1800000000},
		},
		{
			name: "carbon of our own message sent elsewhere",
			raw: `<message xmlns="jabber:client" from="7-1@localhost" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0">` +
				`<message xmlns="jabber:client" from="7-1@localhost/phone" to="9-1@localhost" type="chat" id="m5"><body>from my phone</body>` +
				`<extraParams xmlns="jabber:client"><dialog_id>d9</dialog_id><date_sent>1700000002</date_sent></extraParams></message></forwarded></sent></message>`,
			want:   Message{ID: "m5", ChatDialogID: "d9", Message: "from my phone", SenderID: self, RecipientID: 9, DateSent: 1700000002},
			carbon: true,
		},
		{
			name: "received carbon of a message sent to another resource of ours",
			raw: `<message xmlns="jabber:client" from="7-1@localhost" to="7-1@localhost/desk" type="chat"><received xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0">` +
				`<message xmlns="jabber:client" from="9-1@localhost/web" to="7-1@localhost/phone" type="chat" id="m6"><body>to your phone</body>` +
				`<extraParams xmlns="jabber:client"><dialog_id>d9</dialog_id><date_sent>1700000003</date_sent></extraParams></message></forwarded></received></message>`,
			want:           Message{ID: "m6", ChatDialogID: "d9", Message: "to your phone", SenderID: 9, RecipientID: self, DateSent: 1700000003},
			receivedCarbon: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := stanzaFromChat(chatFromXML(t, tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			ev, ok := messageEvent(st, self, now)
			if !ok {
				t.Fatalf("not reported: %+v", st)
			}
			got := ev.Message
			if got.ID != tc.want.ID || got.ChatDialogID != tc.want.ChatDialogID || got.Message != tc.want.Message ||
				got.SenderID != tc.want.SenderID || got.RecipientID != tc.want.RecipientID || got.DateSent != tc.want.DateSent {
				t.Fatalf("message\n got %+v\nwant %+v", got, tc.want)
			}
			if len(got.Attachments) != len(tc.want.Attachments) || (len(got.Attachments) > 0 && got.Attachments[0] != tc.want.Attachments[0]) {
				t.Fatalf("attachments %+v", got.Attachments)
			}
			if len(got.Custom) != len(tc.want.Custom) || (tc.want.Custom != nil && got.Custom["country"] != "NZ") {
				t.Fatalf("custom %v", got.Custom)
			}
			if got.ReadIDs[0] != got.SenderID {
				t.Fatalf("read ids %v", got.ReadIDs)
			}
			if ev.Delayed != tc.delayed || ev.Carbon != tc.carbon || ev.ReceivedCarbon != tc.receivedCarbon || ev.Stanza != st {
				t.Fatalf("delayed %v carbon %v received carbon %v", ev.Delayed, ev.Carbon, ev.ReceivedCarbon)
			}
		})
	}
}

func TestNonContentMessagesAreNotNewMessages(t *testing.T) {
	cases := map[string]string{
		"typing":                          `<message xmlns="jabber:client" from="8-1@localhost" type="chat"><composing xmlns="http://jabber.org/protocol/chatstates"/></message>`,
		"group typing":                    `<message xmlns="jabber:client" from="1_d1@muc.localhost/8" type="groupchat"><paused xmlns="http://jabber.org/protocol/chatstates"/></message>`,
		"read marker":                     `<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="x"><displayed xmlns="urn:xmpp:chat-markers:0" id="m1"/><extraParams xmlns="jabber:client"><dialog_id>d</dialog_id></extraParams></message>`,
		"edit":                            `<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="x"><body>new</body><replace xmlns="urn:xmpp:message-correct:0" id="m1" last="true"/></message>`,
		"delete":                          `<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="x"><remove xmlns="urn:xmpp:message-delete:0" id="m1"/></message>`,
		"reaction":                        `<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="x"><reactions user_id="8" message_id="m1"><reaction add="true" type="+1"/></reactions></message>`,
		"empty":                           `<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="x"><extraParams xmlns="jabber:client"><dialog_id>d</dialog_id></extraParams></message>`,
		"error":                           `<message xmlns="jabber:client" from="8-1@localhost" type="error" id="x"><body>hi</body><error type="cancel" code="503"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>`,
		"system":                          `<message xmlns="jabber:client" from="8-1@localhost" type="headline" id="x"><body>sys</body><extraParams xmlns="jabber:client"><moduleIdentifier>SystemNotifications</moduleIdentifier></extraParams></message>`,
		"forged carbon":                   `<message xmlns="jabber:client" from="8-1@localhost" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="7-1@localhost/x" to="9-1@localhost" type="chat" id="f"><body>fake</body></message></forwarded></sent></message>`,
		"forged received carbon":          `<message xmlns="jabber:client" from="8-1@localhost" type="chat"><received xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="9-1@localhost/x" to="7-1@localhost/p" type="chat" id="f"><body>fake</body></message></forwarded></received></message>`,
		"received carbon from a full JID": `<message xmlns="jabber:client" from="7-1@localhost/other" type="chat"><received xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="9-1@localhost/x" to="7-1@localhost/p" type="chat" id="f"><body>fake</body></message></forwarded></received></message>`,
		"received carbon from a room":     `<message xmlns="jabber:client" from="1_d1@muc.localhost/7" type="groupchat"><received xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="9-1@localhost/x" to="7-1@localhost/p" type="chat" id="f"><body>fake</body></message></forwarded></received></message>`,
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			st, err := stanzaFromChat(chatFromXML(t, raw))
			if err != nil {
				t.Fatal(err)
			}
			if ev, ok := messageEvent(st, 7, time.Now()); ok {
				t.Fatalf("reported as a new message: %+v", ev.Message)
			}
		})
	}
}

// The rebuilt stanza keeps what later event kinds need.
func TestRebuiltStanzaKeepsSignals(t *testing.T) {
	raw := `<message xmlns="jabber:client" from="8-1@localhost" type="chat" id="x"><body>new</body>` +
		`<replace xmlns="urn:xmpp:message-correct:0" id="m1" last="true"/><extraParams xmlns="jabber:client"><dialog_id>d</dialog_id></extraParams></message>`
	st, err := stanzaFromChat(chatFromXML(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	if st.Replace == nil || st.Replace.ID != "m1" || st.Replace.Last != "true" || st.Extra.Get("dialog_id") != "d" || st.BodyText() != "new" {
		t.Fatalf("stanza %+v", st)
	}
}
