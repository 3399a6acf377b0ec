package xmppd

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSessionsPerUserAreCapped: the (N+1)th session of a user is refused at bind with
// resource-constraint and a policy-violation stream error; the N existing ones stay,
// and a slot freed by signing out is usable again.
func TestSessionsPerUserAreCapped(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxSessionsPerUser = 3 })
	var sessions []*rawClient
	for i := range 3 {
		sessions = append(sessions, ts.login(t, 5, fmt.Sprintf("r%d", i), true))
	}
	refused := func() {
		t.Helper()
		c := dialRaw(t, ts.direct, ts.clientTL)
		c.open()
		if name, n := c.auth("", "5-1", testPassword); name != "success" {
			t.Fatalf("auth: %s %+v", name, n)
		}
		c.open()
		c.write(`<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`)
		se := c.nextStart()
		var iq iqStanza
		if err := c.dec.DecodeElement(&iq, &se); err != nil {
			t.Fatal(err)
		}
		var cond, text string
		for _, n := range iq.Payload {
			if n.XMLName.Local != "error" {
				continue
			}
			for _, ch := range n.Children {
				if ch.XMLName.Local == "text" {
					text = ch.Text
				} else {
					cond = ch.XMLName.Local
				}
			}
		}
		if iq.Type != "error" || cond != "resource-constraint" || !strings.Contains(text, "at most 3 sessions") {
			t.Fatalf("4th bind answered %+v (condition %q, text %q)", iq, cond, text)
		}
		c.startReader()
		if e, ok := c.next(3 * time.Second).(gotStreamError); !ok || e.cond != condPolicyViolation {
			t.Fatalf("want policy-violation after the refusal, got %+v", e)
		}
	}
	refused()
	if got := len(ts.srv.reg.sessions(5)); got != 3 {
		t.Fatalf("sessions after the refusal = %d, want 3", got)
	}
	for _, c := range sessions {
		c.ping("still-here")
	}
	// Other users are not affected by user 5's limit.
	ts.login(t, 6, "", true).ping("other-user")

	sessions[0].write(`</stream:stream>`)
	deadline := time.Now().Add(5 * time.Second)
	for len(ts.srv.reg.sessions(5)) == 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	ts.login(t, 5, "again", true).ping("freed-slot")
	refused()
}

// TestSendQueueIsBoundedInBytes: with a stanza count that would allow hundreds of
// megabytes, a client that never reads is still cut off once its queue holds
// SendQueueBytes, and the queue never exceeds that bound.
func TestSendQueueIsBoundedInBytes(t *testing.T) {
	const budget = 256 << 10
	ts := startServer(t, func(c *Config) { c.SendQueue = 100000; c.SendQueueBytes = budget })
	alice := ts.login(t, 5, "", true)
	ts.connect(t, 6, "") // bound, but never reads a byte
	victim := ts.srv.reg.sessions(6)[0]
	big := strings.Repeat("y", 60000)
	maxSeen, sent := 0, 0
	for ; sent < 2000 && ts.srv.Online(6); sent++ {
		alice.writeElem(chat("6-1@localhost", "", big))
		alice.ping(fmt.Sprintf("p%d", sent)) // the message was routed once the ping is answered
		maxSeen = max(maxSeen, victim.queuedBytes())
	}
	if ts.srv.Online(6) {
		t.Fatalf("a client that never reads was not disconnected after %d messages of %d bytes", sent, len(big))
	}
	if maxSeen > budget {
		t.Fatalf("queued %d bytes, over the %d-byte bound", maxSeen, budget)
	}
	t.Logf("cut off after %d messages of %d bytes; largest queue seen %d bytes (bound %d)", sent, len(big), maxSeen, budget)
	alice.ping("sender-unaffected")
}
