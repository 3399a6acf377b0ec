package cube

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// encodeSample builds a stanza from fuzzable parts; each bit of parts adds one part.
func encodeSample(from, to, typ, id, text, key string, n int64, parts uint16) *MessageStanza {
	m := &MessageStanza{From: from, To: to, Type: typ, ID: id}
	if parts&1 != 0 {
		m.Body = &text
	}
	if parts&2 != 0 {
		m.Extra = &ExtraParams{Params: []Param{{Name: "save_to_history", Value: "1"}, {Name: "dialog_id", Value: text},
			{Name: key, Value: text}, {Name: "empty"}, {Name: "geo", Children: []Param{{Name: "lat", Value: text}, {Name: key}}}}}
	}
	if parts&4 != 0 {
		if m.Extra == nil {
			m.Extra = &ExtraParams{}
		}
		m.Extra.Attachments = []Attachment{{Type: "image", ID: text, UID: id, URL: text, Name: key, Size: n,
			Width: int(n % 5000), Height: -int(n % 7), Duration: int(n % 3), ContentType: text, Data: key}, {}}
	}
	if parts&8 != 0 {
		m.Markable = &Empty{}
	}
	if parts&16 != 0 {
		m.Received = &MarkerElem{ID: text}
	}
	if parts&32 != 0 {
		m.Displayed = &MarkerElem{ID: id}
	}
	if parts&64 != 0 {
		m.Composing = &Empty{}
	}
	if parts&128 != 0 {
		m.Paused = &Empty{}
	}
	if parts&256 != 0 {
		m.Replace = &ReplaceElem{ID: id, Last: text}
	}
	if parts&512 != 0 {
		m.Remove = &RemoveElem{ID: text}
	}
	// Parts left to xml.Marshal.
	if parts&1024 != 0 {
		m.Delay = &DelayElem{Stamp: text}
	}
	if parts&2048 != 0 {
		m.Reactions = &ReactionsElem{UserID: id, MessageID: text, Items: []ReactionElem{{Type: text, Add: "true"}}}
	}
	if parts&4096 != 0 {
		m.Error = NewStanzaError("cancel", "503", "service-unavailable", text)
	}
	if parts&8192 != 0 {
		m.Lang = key
	}
	return m
}

// checkMarshal fails unless Marshal gives xml.Marshal's bytes and error, for the
// stanza and for its value.
func checkMarshal(t *testing.T, m *MessageStanza) {
	t.Helper()
	for _, v := range []any{m, *m} {
		want, wantErr := xml.Marshal(v)
		got, err := Marshal(v)
		if (err == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("Marshal(%T)\n got %q, %v\nwant %q, %v", v, got, err, want, wantErr)
		}
	}
}

var encodeTexts = []string{"", "plain", `<a href="x">&amp;'quotes'</a>`, "tab\tnew\nline\rcr", "nul\x00bad\xffutf8\uFFFD",
	"emoji 😀 ü", "\uFFFE\uFFFF\U0010FFFF", "]]>"}

func TestMarshalMatchesEncodingXML(t *testing.T) {
	for _, text := range encodeTexts {
		for _, key := range []string{"k", "custom-key.1", "xmlbad", "1bad", "ü"} {
			for parts := range uint16(1 << 14) {
				if parts&(parts-1) != 0 && parts%97 != 0 {
					continue // every single part, and a spread of combinations
				}
				checkMarshal(t, encodeSample("8-1@localhost/r", "7-1@localhost", ChatType, "6b1"+text, text, key, 12345, parts))
			}
		}
	}
	// The stanzas the SDK itself builds.
	st, err := markerStanza(Config{AppID: 1, ChatDomain: "localhost"}, 5, Message{ID: "m1", SenderID: 7, ChatDialogID: "d<1"}, MarkerDelivered)
	if err != nil {
		t.Fatal(err)
	}
	checkMarshal(t, st)
	checkMarshal(t, &MessageStanza{})
}

func FuzzMarshalMatchesEncodingXML(f *testing.F) {
	for i, text := range encodeTexts {
		f.Add("8-1@localhost", "7-1@localhost/x", ChatType, "id"+text, text, "key", int64(i), uint16(i*1237))
	}
	f.Fuzz(func(t *testing.T, from, to, typ, id, text, key string, n int64, parts uint16) {
		checkMarshal(t, encodeSample(from, to, typ, id, text, key, n, parts))
	})
}

// BenchmarkMarshal renders a chat message and a delivered marker, beside
// xml.Marshal of the same stanzas as the reference (docs/benchmarks.md, issue 10,
// round 4).
func BenchmarkMarshal(b *testing.B) {
	text := "hello there, how are you?"
	msg := &MessageStanza{To: "7-1@localhost", Type: ChatType, ID: NewObjectID(), Body: &text, Markable: &Empty{},
		Extra: &ExtraParams{Params: []Param{{Name: "save_to_history", Value: "1"}, {Name: "dialog_id", Value: NewObjectID()},
			{Name: "date_sent", Value: "1700000000"}}}}
	marker, err := markerStanza(Config{AppID: 1, ChatDomain: "localhost"}, 5, Message{ID: NewObjectID(), SenderID: 7, ChatDialogID: NewObjectID()}, MarkerDelivered)
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range []struct {
		name string
		m    *MessageStanza
	}{{"message", msg}, {"marker", marker}} {
		b.Run(st.name+"/reference-encoding-xml", func(b *testing.B) {
			for b.Loop() {
				if _, err := xml.Marshal(st.m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"/Marshal", func(b *testing.B) {
			for b.Loop() {
				if _, err := Marshal(st.m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
