package cube

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestMessageStanzaRoundTrip(t *testing.T) {
	in := MessageStanza{
		To: "8-1@localhost", Type: ChatType, ID: NewObjectID(), Body: Str("hi <b> & \"x\""),
		Extra: &ExtraParams{
			Params:      []Param{{Name: "save_to_history", Value: "1"}, {Name: "nested", Children: []Param{{Name: "a", Value: "1"}}}},
			Attachments: []Attachment{{Type: "image", UID: "abc", Size: 7, ContentType: "image/png"}},
		},
	}
	b, err := xml.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`<extraParams xmlns="jabber:client">`, `<save_to_history>1</save_to_history>`, `<attachment type="image" uid="abc" size="7" content-type="image/png"></attachment>`, `&lt;b&gt;`} {
		if !strings.Contains(s, want) {
			t.Errorf("marshalled stanza lacks %s: %s", want, s)
		}
	}
	var out MessageStanza
	if err := xml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.BodyText() != in.BodyText() || out.Extra.Get("save_to_history") != "1" || out.Extra.Map()["nested"].(map[string]any)["a"] != "1" {
		t.Fatalf("round trip lost data: %+v", out)
	}
	if len(out.Extra.Attachments) != 1 || out.Extra.Attachments[0].Size != 7 || out.Extra.Attachments[0].ContentType != "image/png" {
		t.Fatalf("attachments: %+v", out.Extra.Attachments)
	}
}

func TestParseSDKStanzas(t *testing.T) {
	raw := `<message xmlns="jabber:client" from="92_d1@muc.localhost/5" type="groupchat" id="m2">` +
		`<received xmlns="urn:xmpp:chat-markers:0" id="m1"/>` +
		`<replace xmlns="urn:xmpp:message-correct:0" id="m0" last="true"/>` +
		`<reactions user_id="5" message_id="m1"><reaction add="true" type="👍"/></reactions>` +
		`<error type="cancel" code="503"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">Service not available.</text></error>` +
		`</message>`
	var m MessageStanza
	if err := xml.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	if m.Received == nil || m.Received.ID != "m1" || m.Replace == nil || m.Replace.Last != "true" {
		t.Fatalf("markers/replace not parsed: %+v", m)
	}
	if m.Reactions == nil || len(m.Reactions.Items) != 1 || m.Reactions.Items[0].Type != "👍" {
		t.Fatalf("reactions: %+v", m.Reactions)
	}
	if m.Error == nil || m.Error.Code != "503" || m.Error.Condition.XMLName.Local != "service-unavailable" || m.Error.Text != "Service not available." {
		t.Fatalf("error: %+v", m.Error)
	}
	if id, ok := SenderIDFromRoomJID(m.From); !ok || id != 5 || DialogIDFromRoomJID(m.From) != "d1" {
		t.Fatalf("room jid parse failed")
	}
}

func TestExtraParamsRejectsBadKeys(t *testing.T) {
	e := ExtraParams{Params: []Param{{Name: "bad key", Value: "x"}}}
	if _, err := xml.Marshal(e); err == nil {
		t.Fatal("a key with a space must not be marshalled")
	}
}
