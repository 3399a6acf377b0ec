package cube

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestChatReconnectsAfterTransientStreamError: an orderly restart
// (<system-shutdown/>) or another transient stream error goes through the
// reconnection manager (RFC 6120 §4.9.3.20); the cause names the condition.
func TestChatReconnectsAfterTransientStreamError(t *testing.T) {
	for _, cond := range []string{"system-shutdown", "connection-timeout", "reset"} {
		t.Run(cond, func(t *testing.T) {
			srv := newFakeXMPP(t, false)
			c := NewChat(srv.config(), fastOpts())
			if err := c.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer c.Disconnect()
			expectStates(t, c, Authenticated, Ready)
			srv.push(`<stream:error><` + cond + ` xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>`)
			states := expectStates(t, c, Reconnecting, Resumed, Ready)
			if states[0].Err == nil || !strings.Contains(states[0].Err.Error(), cond) {
				t.Fatalf("cause %v does not name %s", states[0].Err, cond)
			}
			if srv.loginCount() != 2 {
				t.Fatalf("logins %d", srv.loginCount())
			}
		})
	}
}

// TestChatFinalStreamErrorsStayFinal: conflict, not-authorized and policy-violation
// end the session (ForceClosed) and nothing reconnects.
func TestChatFinalStreamErrorsStayFinal(t *testing.T) {
	for _, cond := range []string{"conflict", "not-authorized", "policy-violation"} {
		t.Run(cond, func(t *testing.T) {
			srv := newFakeXMPP(t, false)
			c := NewChat(srv.config(), fastOpts())
			if err := c.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			expectStates(t, c, Authenticated, Ready)
			srv.push(`<stream:error><` + cond + ` xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>go away</text></stream:error>`)
			states := expectStates(t, c, ForceClosed)
			if !strings.Contains(states[0].Err.Error(), cond) {
				t.Fatalf("cause %v does not name %s", states[0].Err, cond)
			}
			time.Sleep(200 * time.Millisecond) // several reconnect intervals
			if srv.loginCount() != 1 || c.State() != ForceClosed {
				t.Fatalf("reconnected after %s: logins %d state %v", cond, srv.loginCount(), c.State())
			}
		})
	}
}

func TestStreamErrorCondition(t *testing.T) {
	cases := map[string]string{
		`<stream:error xmlns:stream="http://etherx.jabber.org/streams"><system-shutdown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>`: "system-shutdown",
		`<iq type='error'><error type='cancel'><item-not-found/></error></iq><stream:error><conflict xmlns='x'/><text>t</text></stream:error>`:        "conflict",
		`<error xmlns='http://etherx.jabber.org/streams'><reset xmlns='x'></reset></error>`:                                                           "reset",
		`<message><body>error</body></message>`: "",
		``:                                      "",
	}
	for in, want := range cases {
		if got := streamErrorCondition([]byte(in)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// TestChatDropsOversizedIncomingStanza: a hostile server streams a 300 MB text node;
// the client stops reading once the stanza passes MaxIncomingStanzaBytes, drops the
// connection with a clear error and reconnects. Memory stays bounded because the
// client reads at most the cap (plus one read buffer) of that stanza.
func TestChatDropsOversizedIncomingStanza(t *testing.T) {
	srv := newFakeXMPP(t, false)
	c := NewChat(srv.config(), fastOpts())
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect()
	expectStates(t, c, Authenticated, Ready)
	srv.mu.Lock()
	conn := srv.conn
	srv.mu.Unlock()

	const hostile = 300 << 20
	written := make(chan int, 1)
	go func() {
		n, _ := conn.Write([]byte(`<message xmlns='jabber:client' from='8-1@localhost' type='chat' id='huge'><body>`))
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for n < hostile {
			w, err := conn.Write(chunk)
			n += w
			if err != nil {
				break
			}
		}
		written <- n
	}()
	states := expectStates(t, c, Reconnecting)
	var over *IncomingTooLargeError
	if !errors.As(states[0].Err, &over) {
		t.Fatalf("cause %v is not IncomingTooLargeError", states[0].Err)
	}
	if over.Limit != MaxIncomingStanzaBytes || over.Read > MaxIncomingStanzaBytes+64<<10 {
		t.Fatalf("read %d bytes of the stanza, limit %d", over.Read, over.Limit)
	}
	t.Logf("the client read %d bytes of the hostile stanza (cap %d) before dropping the connection", over.Read, over.Limit)
	select {
	case n := <-written:
		// The socket was closed: the server's writes failed long before 300 MB
		// (what it managed to write beyond the cap sits in socket buffers; go-xmpp's
		// Close, stuck on its decoder lock after the failed read, closes the socket
		// with its own 10 s timer).
		if n >= hostile {
			t.Fatalf("the client read the whole %d bytes", n)
		}
		t.Logf("the hostile server wrote %d bytes before its writes failed", n)
	case <-time.After(30 * time.Second):
		t.Fatal("the hostile server could keep writing: connection not dropped")
	}
	expectStates(t, c, Resumed, Ready)
	srv.push(`<message xmlns='jabber:client' from='8-1@localhost' type='chat' id='after'><body>small</body></message>`)
	if ev, ok := nextEvent(t, c).(MessageEvent); !ok || ev.Message.ID != "after" {
		t.Fatalf("after the reconnect: %+v", ev)
	}
}

// TestChatBusyConnectionIsNotPinged: inbound traffic more often than PingInterval
// proves the connection alive, so no ping is sent; once it goes quiet, pings resume.
func TestChatBusyConnectionIsNotPinged(t *testing.T) {
	opts := fastOpts()
	opts.PingInterval = time.Second
	srv, c := connected(t, opts)
	for i := range 30 {
		srv.push(`<message xmlns='jabber:client' from='8-1@localhost' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`)
		if _, ok := nextEvent(t, c).(TypingEvent); !ok {
			t.Fatalf("push %d: no typing event", i)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case e := <-srv.received:
		t.Fatalf("the client sent <%s> %s on a busy connection", e.XMLName.Local, e.Inner)
	default:
	}
	if e := srv.waitReceived("iq"); !strings.Contains(e.Inner, "urn:xmpp:ping") {
		t.Fatalf("quiet connection: got iq %s, want a ping", e.Inner)
	}
}

func TestPingDefaultsNoticeAStallWithinTwentySeconds(t *testing.T) {
	o := ChatOptions{}.withDefaults()
	if worst := o.PingInterval + o.PingTimeout; worst > 20*time.Second {
		t.Fatalf("a silent stall is noticed only after %v", worst)
	}
}
