package xmppd

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// TestHugeStanzaAtTheDefaultLimit: a 10 MB body with the default limit (256 KiB) ends
// the sender's stream with policy-violation once the limit is passed, without the
// server reading (or buffering) the rest; everyone else is served on.
func TestHugeStanzaAtTheDefaultLimit(t *testing.T) {
	ts := startServer(t, nil)
	bystander := ts.login(t, 7, "", true)
	c := ts.login(t, 5, "", true)
	sent := make(chan int64, 1)
	go func() {
		// The server stops reading at the limit, so this write ends with an error
		// once it hangs up; how far it got is the interesting part.
		n, _ := io.Copy(c.conn, io.MultiReader(
			strings.NewReader(`<message to='7-1@localhost' type='chat'><body>`),
			io.LimitReader(repeatReader('x'), 10<<20),
			strings.NewReader(`</body></message>`)))
		sent <- n
	}()
	v := c.next(10 * time.Second)
	if e, ok := v.(gotStreamError); !ok || e.cond != condPolicyViolation {
		t.Fatalf("want policy-violation, got %T %+v", v, v)
	}
	_ = c.conn.Close()
	if n := <-sent; n >= 10<<20 {
		t.Fatalf("the server took all %d bytes of an oversized stanza", n)
	}
	bystander.ping("alive")
	bystander.expectSilence(100 * time.Millisecond) // no part of the huge message was delivered
}

// TestManyExtraParamsUnderTheLimit: a message with 10k extraParams keys (and one with
// 2k attachments) that fits the limit is delivered whole, in order.
func TestManyExtraParamsUnderTheLimit(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	bob := ts.login(t, 6, "", true)
	params := make([]cube.Param, 10000)
	for i := range params {
		params[i] = cube.Param{Name: fmt.Sprintf("k%d", i), Value: "v"}
	}
	alice.writeElem(chat("6-1@localhost", "many-keys", "keys", params...))
	got := bob.nextMessage()
	var keys []string // the server adds its own (dialog_id…); ours must all arrive, in order
	for _, p := range got.Extra.Params {
		if strings.HasPrefix(p.Name, "k") {
			keys = append(keys, p.Name)
		}
	}
	if got.ID != "many-keys" || len(keys) != len(params) || keys[0] != "k0" || keys[9999] != "k9999" {
		t.Fatalf("delivered %d of our %d params", len(keys), len(params))
	}
	atts := make([]cube.Attachment, 2000)
	for i := range atts {
		atts[i] = cube.Attachment{Type: "image", UID: fmt.Sprintf("u%d", i)}
	}
	m := chat("6-1@localhost", "many-atts", "atts")
	m.Extra = &cube.ExtraParams{Attachments: atts}
	alice.writeElem(m)
	got = bob.nextMessage()
	if got.ID != "many-atts" || len(got.Extra.Attachments) != len(atts) || got.Extra.Attachments[1999].UID != "u1999" {
		t.Fatalf("delivered %d attachments, want %d", len(got.Extra.Attachments), len(atts))
	}
}

// TestCharactersXMLCannotCarry: NUL (raw or as a character reference), other control
// characters and invalid UTF-8 are not well-formed XML; the sender's stream ends with
// not-well-formed, nothing reaches the recipient, and a valid message still flows.
func TestCharactersXMLCannotCarry(t *testing.T) {
	ts := startServer(t, nil)
	bob := ts.login(t, 6, "", true)
	cases := []struct{ name, body string }{
		{"raw NUL", "a\x00b"},
		{"NUL reference", "a&#0;b"},
		{"escape character", "\x1b[31m"},
		{"control reference", "&#x8;"},
		{"invalid UTF-8", "caf\xe9"},
		{"U+FFFE reference", "&#xFFFE;"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.login(t, 5, "", true)
			c.write(`<message to='6-1@localhost' type='chat' id='bad'><body>` + tc.body + `</body></message>`)
			v := c.next(3 * time.Second)
			if e, ok := v.(gotStreamError); !ok || e.cond != condNotWellFormed {
				t.Fatalf("want not-well-formed, got %T %+v", v, v)
			}
			bob.ping("p-" + strings.ReplaceAll(tc.name, " ", "-"))
		})
	}
	alice := ts.login(t, 5, "", true)
	alice.writeElem(chat("6-1@localhost", "good", "tab\there 🎉 &amp; fine"))
	if got := bob.nextMessage(); got.ID != "good" || got.BodyText() != "tab\there 🎉 &amp; fine" {
		t.Fatalf("valid message after the bad ones: %+v", got)
	}
}

// repeatReader yields b forever.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
