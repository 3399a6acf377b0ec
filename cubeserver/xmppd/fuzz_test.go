package xmppd

import (
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

// fuzzStanzaSeeds are what clients send after login, and hostile shapes of it.
var fuzzStanzaSeeds = []string{
	`<message to='6-1@localhost' type='chat' id='m1'><body>hi</body><extraParams xmlns='jabber:client'><save_to_history>1</save_to_history></extraParams></message>`,
	`<message to='7-1@localhost' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`,
	`<message to='1_d1@muc.localhost' type='groupchat' id='g'><body>x</body></message>`,
	`<presence to='1_d1@muc.localhost/5'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`,
	`<presence type='unavailable'/>`,
	`<iq type='get' id='l1' to='6-1@localhost'><query xmlns='jabber:iq:last'/></iq>`,
	`<iq type='set' id='p1'><query xmlns='jabber:iq:privacy'><list name='x'><item type='jid' value='6-1@localhost' action='deny' order='1'/></list></query></iq>`,
	`<iq type='set' id='c1'><enable xmlns='urn:xmpp:carbons:2'/></iq>`,
	`<iq type='result' id='unknown'/>`, `<iq type='get'/>`, `<iq/>`,
	`<message to='6-1@localhost' type='chat'><body>oops</bdy></message>`,
	`<hello xmlns='jabber:client'/>`, `</stream:stream>`, `<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>`,
	`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AA==</auth>`, `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`,
	`<message to='` + strings.Repeat("a", 3000) + `@localhost' type='chat'><body>x</body></message>`,
	"<message to='6-1@localhost'><body>\x00\xff</body></message>", `<message to='6-1@localhost'><body>&#0;</body></message>`,
	`<!DOCTYPE x [<!ENTITY a "aaaa">]><message/>`, `<?xml version='1.0'?><message/>`, `<message to='6-1@localhost' type='chat'><body>`,
	`<message xmlns:a='urn:a' a:to='6-1@localhost'><a:body>x</a:body></message>`, `<![CDATA[x]]>`, `just text`,
}

// FuzzStanza sends arbitrary bytes after a completed login on a real TLS connection.
// The server must either serve on (the ping that follows is answered; stanza errors
// along the way are fine) or end the stream with a stream error; an unfinished element
// may simply wait for more. Every answer must be well-formed XML, the session must be
// gone once the client hangs up, no goroutine may outlive it, and another user's
// connection must keep working throughout.
func FuzzStanza(f *testing.F) {
	for _, s := range fuzzStanzaSeeds {
		f.Add([]byte(s))
	}
	// One server for every input: it must survive all of them.
	ts := startServer(f, func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) })
	round := 0
	f.Fuzz(func(t *testing.T, raw []byte) {
		round++
		before := runtime.NumGoroutine()
		bystander := ts.login(t, 7, "", true)
		c := ts.login(t, 5, "", false)
		c.write(string(raw))
		pingID := fmt.Sprintf("fuzz-end-%d", round)
		// The write may fail once the server has closed the stream; that is an answer too.
		_, _ = c.conn.Write([]byte(`<iq type='get' id='` + pingID + `' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`))
		outcome := awaitOutcome(t, c, pingID)
		t.Logf("outcome: %s", outcome)
		_ = c.conn.Close()
		for range c.in { // the reader ends once the socket is closed
		}
		testwait.For(t, "session of user 5 to end ("+outcome+")", 5*time.Second, func() bool { return !ts.srv.Online(5) })
		pingThrough(t, bystander, fmt.Sprintf("bystander-%d", round))
		_ = bystander.conn.Close()
		for range bystander.in {
		}
		testwait.For(t, "sessions to end ("+outcome+")", 5*time.Second, func() bool { return !ts.srv.Online(5) && !ts.srv.Online(7) })
		testwait.For(t, "goroutines to end ("+outcome+")", 5*time.Second, func() bool { return runtime.NumGoroutine() <= before })
	})
}

// awaitOutcome reads what the server answers: "served" (the ping came back),
// "stream error", "closed" or "pending" (an unfinished element waits for more input).
func awaitOutcome(t *testing.T, c *rawClient, pingID string) string {
	t.Helper()
	timeout := time.After(500 * time.Millisecond)
	for {
		select {
		case v, ok := <-c.in:
			if !ok {
				return "closed"
			}
			switch v := v.(type) {
			case *iqStanza:
				if v.ID == pingID && v.Type == "result" {
					return "served"
				}
			case gotStreamError:
				if v.cond == "" {
					t.Fatalf("stream error without a condition: %+v", v)
				}
				return "stream error " + v.cond
			case streamEnd:
				return "closed"
			case error:
				// A reset right after the server's close is fine; broken XML is not.
				if strings.Contains(v.Error(), "XML syntax error") {
					t.Fatalf("server sent malformed XML: %v", v)
				}
				return "closed"
			}
		case <-timeout:
			return "pending"
		}
	}
}

// pingThrough round-trips a ping on c, skipping whatever else arrives first.
func pingThrough(t *testing.T, c *rawClient, id string) {
	t.Helper()
	c.write(`<iq type='get' id='` + id + `' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case v, ok := <-c.in:
			if !ok {
				t.Fatal("bystander connection closed")
			}
			if iq, isIQ := v.(*iqStanza); isIQ && iq.ID == id {
				if iq.Type != "result" {
					t.Fatalf("bystander ping: %+v", iq)
				}
				return
			}
			if _, isErr := v.(gotStreamError); isErr {
				t.Fatalf("bystander got a stream error: %+v", v)
			}
		case <-deadline:
			t.Fatal("bystander ping not answered")
		}
	}
}
