package cube

import (
	"encoding/json"
	"encoding/xml"
	"testing"
	"time"
)

// incomingChat is a 1-1 message as the server relays it to the SDK: body, the
// ConnectyCube extraParams (history flag, dialog, date, a custom field, an image
// attachment) and a markable request.
const incomingChat = `<message xmlns="jabber:client" from="5-1@localhost/phone" to="6-1@localhost/desk" type="chat" id="65a1b2c3d4e5f60718293a4b">` +
	`<body>See you at the station at 7 &amp; bring the tickets</body>` +
	`<extraParams xmlns="jabber:client"><save_to_history>1</save_to_history><dialog_id>65a1b2c3d4e5f60718290000</dialog_id>` +
	`<date_sent>1700000000</date_sent><mood>happy</mood>` +
	`<attachment type="image" id="1234" uid="9f1c2b7e" name="tickets.jpg" size="48211" width="800" height="600" content-type="image/jpeg"/>` +
	`</extraParams><markable xmlns="urn:xmpp:chat-markers:0"/></message>`

// BenchmarkParseMessage decodes one incoming message stanza into MessageStanza.
func BenchmarkParseMessage(b *testing.B) {
	raw := []byte(incomingChat)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		var m MessageStanza
		if err := xml.Unmarshal(raw, &m); err != nil || m.Extra.Get("dialog_id") == "" {
			b.Fatalf("parse: %v", err)
		}
	}
}

// BenchmarkClassifyMessage turns a parsed stanza into the SDK's MessageEvent, as the
// reader does for every incoming message.
func BenchmarkClassifyMessage(b *testing.B) {
	var m MessageStanza
	if err := xml.Unmarshal([]byte(incomingChat), &m); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for b.Loop() {
		if _, ok := classify(&m, 6, now).(MessageEvent); !ok {
			b.Fatal("not a message event")
		}
	}
}

// BenchmarkMarshalMessage builds and encodes an outgoing message (what SendMessage
// does before writing to the socket): body, dialog, history flag, a custom field and
// an attachment.
func BenchmarkMarshalMessage(b *testing.B) {
	cfg := Config{AppID: 1, ChatDomain: "localhost"}
	out := OutgoingMessage{ID: "65a1b2c3d4e5f60718293a4b", DialogID: "65a1b2c3d4e5f60718290000", DialogType: DialogPrivate,
		RecipientID: 6, Body: "See you at the station at 7 & bring the tickets", SaveToHistory: true,
		Attachments: []Attachment{{Type: "image", ID: "1234", UID: "9f1c2b7e", Name: "tickets.jpg", Size: 48211,
			Width: 800, Height: 600, ContentType: "image/jpeg"}},
		Custom: map[string]any{"mood": "happy"}}
	now := time.Now()
	var size int
	for b.Loop() {
		st, err := buildMessageStanza(cfg, out, now)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := xml.Marshal(st)
		if err != nil {
			b.Fatal(err)
		}
		size = len(raw)
	}
	b.SetBytes(int64(size))
}

// BenchmarkExtraParamsRoundTrip encodes nested custom parameters from a map, decodes
// them back and reads them as a map: the path of every custom field of a message.
func BenchmarkExtraParamsRoundTrip(b *testing.B) {
	custom := map[string]any{"mood": "happy", "priority": 2, "urgent": true,
		"location": map[string]any{"lat": 52.52, "lng": 13.405, "label": "Alexanderplatz <east>"},
		"reply_to": "65a1b2c3d4e5f60718293a4b"}
	for b.Loop() {
		in := ExtraParams{Params: ParamsFromMap(custom)}
		raw, err := xml.Marshal(in)
		if err != nil {
			b.Fatal(err)
		}
		var back ExtraParams
		if err := xml.Unmarshal(raw, &back); err != nil {
			b.Fatal(err)
		}
		if m := back.Map(); len(m) != len(custom) {
			b.Fatalf("round trip kept %d of %d parameters", len(m), len(custom))
		}
	}
}

// messagePage is a page of n messages as GET /chat/Message answers it.
func messagePage(b *testing.B, n int) []byte {
	b.Helper()
	list := MessageList{Limit: n}
	for i := range n {
		list.Items = append(list.Items, Message{ID: NewObjectID(), ChatDialogID: "65a1b2c3d4e5f60718290000",
			Message: "message 12: see you at the meeting tomorrow", DateSent: 1700000000 + int64(i/4), SenderID: 5,
			CreatedAt: TimeOf(time.Unix(1700000000, 0)), UpdatedAt: TimeOf(time.Unix(1700000000, 0))})
	}
	raw, err := json.Marshal(list)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkDecodeMessagePage decodes a page of 100 messages as the REST client does
// for every catch-up page; "µs/msg" is per message.
func BenchmarkDecodeMessagePage(b *testing.B) {
	raw := messagePage(b, 100)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		var list MessageList
		if err := unmarshalJSON(raw, &list); err != nil || len(list.Items) != 100 {
			b.Fatalf("decode: %v", err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N*100), "µs/msg")
}

// BenchmarkEncodeMessagePage encodes a page of 100 messages as cubeserver does for
// every GET /chat/Message.
func BenchmarkEncodeMessagePage(b *testing.B) {
	var list MessageList
	if err := json.Unmarshal(messagePage(b, 100), &list); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := marshalJSON(list); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N*100), "µs/msg")
}
