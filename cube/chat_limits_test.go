package cube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSendRefusesWhatXMLCannotCarry: oversized stanzas and texts with NUL, other
// control characters or broken UTF-8 fail with a clear error and nothing is sent, on
// a live connection and offline alike; the connection stays usable afterwards.
func TestSendRefusesWhatXMLCannotCarry(t *testing.T) {
	srv, c := connected(t, fastOpts())
	ctx := context.Background()
	manyAttachments := make([]Attachment, 10000)
	for i := range manyAttachments {
		manyAttachments[i] = Attachment{Type: "image", UID: fmt.Sprintf("u%d", i)}
	}
	manyKeys := map[string]any{}
	for i := range 10000 {
		manyKeys[fmt.Sprintf("k%d", i)] = strings.Repeat("v", 20)
	}
	cases := []struct {
		name string
		out  OutgoingMessage
		want error
	}{
		{"10 MB body", OutgoingMessage{Body: strings.Repeat("x", 10<<20)}, ErrStanzaTooLarge},
		{"body just over the limit", OutgoingMessage{Body: strings.Repeat("x", MaxStanzaBytes)}, ErrStanzaTooLarge},
		{"10k attachments", OutgoingMessage{Body: "x", Attachments: manyAttachments}, ErrStanzaTooLarge},
		{"10k extraParams keys", OutgoingMessage{Body: "x", Custom: manyKeys}, ErrStanzaTooLarge},
		{"NUL in body", OutgoingMessage{Body: "a\x00b"}, ErrInvalidText},
		{"escape character in body", OutgoingMessage{Body: "\x1b[31mred"}, ErrInvalidText},
		{"invalid UTF-8 in body", OutgoingMessage{Body: "caf\xe9"}, ErrInvalidText},
		{"U+FFFE in body", OutgoingMessage{Body: "a\uFFFEb"}, ErrInvalidText},
		{"NUL in a custom value", OutgoingMessage{Body: "x", Custom: map[string]any{"k": "\x00"}}, ErrInvalidText},
		{"NUL in a nested value", OutgoingMessage{Body: "x", Custom: map[string]any{"geo": map[string]any{"lat": "1\x00"}}}, ErrInvalidText},
		{"invalid UTF-8 in an attachment name", OutgoingMessage{Attachments: []Attachment{{Type: "file", Name: "\xff.txt"}}}, ErrInvalidText},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.out.DialogType, tc.out.RecipientID = DialogPrivate, 8
			_, err := c.SendMessage(ctx, tc.out)
			if !errors.Is(err, tc.want) {
				t.Fatalf("SendMessage: %v, want %v", err, tc.want)
			}
			if len(err.Error()) > 200 {
				t.Fatalf("error message is not short and clear: %.300s…", err)
			}
		})
	}
	// Nothing of the above reached the server, and the connection still carries
	// text that XML allows: tabs, newlines, emoji, markup characters.
	fine := "tab\tnew\nline 🎉 <b>&amp;</b> \u00e9"
	st, err := c.SendMessage(ctx, OutgoingMessage{DialogType: DialogPrivate, RecipientID: 8, Body: fine})
	if err != nil {
		t.Fatal(err)
	}
	got := readStanza(t, srv.waitReceived("message"))
	if got.ID != st.ID || got.BodyText() != fine {
		t.Fatalf("server received %q (id %s), want the valid message %q (id %s)", got.BodyText(), got.ID, fine, st.ID)
	}
	select {
	case e := <-srv.received:
		t.Fatalf("unexpected extra stanza %s", e.XMLName.Local)
	case <-time.After(50 * time.Millisecond):
	}

	// Offline the same messages are refused for the same reason (so an outbox can
	// mark them failed at once instead of waiting for a connection).
	if err := c.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, OutgoingMessage{DialogType: DialogPrivate, RecipientID: 8, Body: "a\x00b"}); !errors.Is(err, ErrInvalidText) {
		t.Fatalf("offline NUL: %v", err)
	}
	if _, err := c.SendMessage(ctx, OutgoingMessage{DialogType: DialogPrivate, RecipientID: 8, Body: strings.Repeat("x", 10<<20)}); !errors.Is(err, ErrStanzaTooLarge) {
		t.Fatalf("offline 10 MB: %v", err)
	}
	if _, err := c.SendMessage(ctx, OutgoingMessage{DialogType: DialogPrivate, RecipientID: 8, Body: "fine"}); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("offline valid message: %v, want ErrNotConnected", err)
	}
}

func TestCheckXMLText(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"", true}, {"plain", true}, {"\t\n\r", true}, {"\u00e9\u4e2d🎉", true}, {"\uFFFD", true}, {"\U0010FFFF", true},
		{"\x00", false}, {"\x08", false}, {"\x7f ok", true}, {"\xc3", false}, {"\xed\xa0\x80", false}, {"\uFFFF", false},
	}
	for _, tc := range cases {
		err := checkXMLText("body", tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("checkXMLText(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}
