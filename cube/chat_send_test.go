package cube

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestBuildMessageStanza(t *testing.T) {
	cfg := Config{AppID: 1, ChatDomain: "localhost"}
	now := time.Unix(1700000000, 0)
	hostile := `</body><body>injected</body>]]><!-- & "'`

	st, err := buildMessageStanza(cfg, OutgoingMessage{DialogID: "d1", DialogType: DialogPrivate, RecipientID: 8, Body: hostile,
		SaveToHistory: true, Custom: map[string]any{"country": "NZ", "n": 3.5, "geo": map[string]any{"lat": "1"}},
		Attachments: []Attachment{{Type: "image", UID: "u1", Name: `a"b<c>.png`}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !IsObjectID(st.ID) || st.Type != ChatType || st.To != "8-1@localhost" {
		t.Fatalf("addressing: %+v", st)
	}
	b, err := xml.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "<body>injected") || strings.Contains(string(b), "<!--") {
		t.Fatalf("user text escaped badly: %s", b)
	}
	var back MessageStanza
	if err := xml.Unmarshal(b, &back); err != nil {
		t.Fatalf("stanza does not parse: %v\n%s", err, b)
	}
	e := back.Extra
	if back.BodyText() != hostile || e.Get("save_to_history") != "1" || e.Get("dialog_id") != "d1" || e.Get("date_sent") != "1700000000" ||
		e.Get("country") != "NZ" || e.Get("n") != "3.5" || e.Map()["geo"].(map[string]any)["lat"] != "1" || e.Attachments[0].Name != `a"b<c>.png` {
		t.Fatalf("round trip: body %q extra %+v", back.BodyText(), e)
	}

	group, err := buildMessageStanza(cfg, OutgoingMessage{ID: "0123456789abcdef01234567", DialogID: "d2", DialogType: DialogGroup,
		Body: "hi", DateSent: 1700000000999}, now)
	if err != nil {
		t.Fatal(err)
	}
	if group.ID != "0123456789abcdef01234567" || group.Type != GroupChatType || group.To != "1_d2@muc.localhost" ||
		group.Extra.Has("save_to_history") || group.Extra.Get("date_sent") != "1700000000" {
		t.Fatalf("group stanza %+v / %+v", group, group.Extra)
	}
}

func TestBuildMessageStanzaRejects(t *testing.T) {
	cfg := Config{AppID: 1, ChatDomain: "localhost"}
	cases := map[string]OutgoingMessage{
		"nothing to send":      {DialogID: "d", DialogType: DialogGroup},
		"private without peer": {DialogID: "d", DialogType: DialogPrivate, Body: "x"},
		"group without dialog": {DialogType: DialogGroup, Body: "x"},
		"reserved custom key":  {DialogID: "d", DialogType: DialogGroup, Body: "x", Custom: map[string]any{"dialog_id": "other"}},
		"bad custom key":       {DialogID: "d", DialogType: DialogGroup, Body: "x", Custom: map[string]any{"a b": "1"}},
	}
	for name, out := range cases {
		if _, err := buildMessageStanza(cfg, out, time.Now()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
