package xmppd

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
)

// smClient is a raw client that logs in by hand so that the test sees the stream
// features and can resume instead of binding.
func (ts *testServer) smConnect(t *testing.T, uid int64) (*rawClient, node) {
	t.Helper()
	c := dialRaw(t, ts.direct, ts.clientTL)
	c.open()
	if name, n := c.auth("", fmt.Sprintf("%d-1", uid), testPassword); name != "success" {
		t.Fatalf("auth as %d: %s %+v", uid, name, n)
	}
	features := c.open()
	_ = c.conn.SetDeadline(time.Time{})
	return c, features
}

// smLogin binds, starts the reader and enables stream management (resume or not).
func (ts *testServer) smLogin(t *testing.T, uid int64, resume bool) (*rawClient, node) {
	t.Helper()
	c, _ := ts.smConnect(t, uid)
	c.jid = c.bind("")
	c.startReader()
	if resume {
		c.write(`<enable xmlns='urn:xmpp:sm:3' resume='true'/>`)
	} else {
		c.write(`<enable xmlns='urn:xmpp:sm:3'/>`)
	}
	return c, c.nextSM("enabled")
}

// nextSM waits for the stream management element local, skipping the server's <r/>.
func (c *rawClient) nextSM(local string) node {
	c.t.Helper()
	for {
		v := c.next(3 * time.Second)
		n, ok := v.(*node)
		if !ok {
			c.t.Fatalf("%s: want <%s/>, got %T %+v", c.jid, local, v, v)
		}
		if n.XMLName.Space != nsSM {
			c.t.Fatalf("%s: want <%s/>, got %v", c.jid, local, n.XMLName)
		}
		if n.XMLName.Local == local {
			return *n
		}
		if n.XMLName.Local != "r" {
			c.t.Fatalf("%s: want <%s/>, got <%s/> %+v", c.jid, local, n.XMLName.Local, n)
		}
	}
}

// nextStanza waits for the next stanza, skipping the server's <r/> requests.
func (c *rawClient) nextStanza() any {
	c.t.Helper()
	for {
		v := c.next(3 * time.Second)
		if n, ok := v.(*node); ok && n.XMLName.Space == nsSM && n.XMLName.Local == "r" {
			continue
		}
		return v
	}
}

// smPing is ping for a stream management client (the server's <r/> may come first).
func (c *rawClient) smPing(id string) {
	c.t.Helper()
	c.write(`<iq type='get' id='` + id + `' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`)
	if iq, ok := c.nextStanza().(*iqStanza); !ok || iq.ID != id || iq.Type != "result" {
		c.t.Fatalf("ping %s: %+v", id, iq)
	}
}

func (c *rawClient) nextChat() *cube.MessageStanza {
	c.t.Helper()
	v := c.nextStanza()
	m, ok := v.(*cube.MessageStanza)
	if !ok {
		c.t.Fatalf("%s: want message, got %T %+v", c.jid, v, v)
	}
	return m
}

// smOf reads a session's stream management counters under its lock.
func smOf(t *testing.T, ts *testServer, uid int64) (in, acked uint32, unacked int) {
	t.Helper()
	sessions := ts.srv.reg.sessions(uid)
	if len(sessions) != 1 {
		t.Fatalf("user %d has %d sessions", uid, len(sessions))
	}
	s := sessions[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sm == nil {
		t.Fatalf("user %d: stream management is off", uid)
	}
	return s.sm.in, s.sm.acked, len(s.sm.unacked)
}

func TestSMFeatureEnableAndCounts(t *testing.T) {
	ts := startServer(t, nil)
	c, features := ts.smConnect(t, 5)
	if sm := features.child("sm"); sm == nil || sm.XMLName.Space != nsSM {
		t.Fatalf("post-auth features lack <sm xmlns='%s'/>: %+v", nsSM, features)
	}
	c.jid = c.bind("")
	c.startReader()
	c.write(`<enable xmlns='urn:xmpp:sm:3'/>`)
	if en := c.nextSM("enabled"); en.attr("id") != "" || en.attr("resume") != "" {
		t.Fatalf("enable without resume answered %+v", en)
	}

	// Two IQs handled: <r/> is answered with h=2, and their results (two stanzas of
	// ours) are followed by the server's own <r/>.
	for _, id := range []string{"p1", "p2"} {
		c.write(`<iq type='get' id='` + id + `' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`)
		if iq, ok := c.nextStanza().(*iqStanza); !ok || iq.ID != id {
			t.Fatalf("ping %s: %+v", id, iq)
		}
	}
	c.write(`<r xmlns='urn:xmpp:sm:3'/>`)
	if a := c.nextSM("a"); a.attr("h") != "2" {
		t.Fatalf("<a/> after two stanzas: %+v", a)
	}
	if _, _, unacked := smOf(t, ts, 5); unacked != 2 {
		t.Fatalf("unacked %d, want the two results", unacked)
	}
	c.write(`<a xmlns='urn:xmpp:sm:3' h='2'/>`)
	testwait.Until(t, "the ack to drop both results", 3*time.Second, func() (bool, string) {
		_, acked, unacked := smOf(t, ts, 5)
		return acked == 2 && unacked == 0, fmt.Sprintf("acked %d, unacked %d", acked, unacked)
	})

	// A second <enable/> fails; it is not a stanza and is not counted.
	c.write(`<enable xmlns='urn:xmpp:sm:3'/>`)
	if f := c.nextSM("failed"); f.child("unexpected-request") == nil {
		t.Fatalf("second enable: %+v", f)
	}
	c.write(`<r xmlns='urn:xmpp:sm:3'/>`)
	if a := c.nextSM("a"); a.attr("h") != "2" {
		t.Fatalf("<a/> after a second enable: %+v", a)
	}
}

func TestSMServerRequestsAcksAfterBursts(t *testing.T) {
	ts := startServer(t, nil)
	alice, _ := ts.smLogin(t, 5, false)
	bob := ts.login(t, 6, "", true)
	for i := range 3 {
		bob.writeElem(chat(alice.jid, fmt.Sprintf("m%d", i), "hi"))
	}
	// The server asks for an ack after it has written what was queued.
	seen, requests := 0, 0
	for seen < 3 || requests == 0 {
		switch v := alice.next(3 * time.Second).(type) {
		case *cube.MessageStanza:
			seen++
		case *node:
			if v.XMLName.Space == nsSM && v.XMLName.Local == "r" {
				requests++
			}
		}
	}
	alice.write(`<a xmlns='urn:xmpp:sm:3' h='3'/>`)
	testwait.Until(t, "every message acknowledged", 3*time.Second, func() (bool, string) {
		_, acked, unacked := smOf(t, ts, 5)
		return acked == 3 && unacked == 0, fmt.Sprintf("acked %d, unacked %d", acked, unacked)
	})
}

func TestSMCountersWrapAt32Bits(t *testing.T) {
	ts := startServer(t, nil)
	c, _ := ts.smLogin(t, 5, false)
	s := ts.srv.reg.sessions(5)[0]
	s.mu.Lock()
	s.sm.in, s.sm.acked = math.MaxUint32, math.MaxUint32
	s.mu.Unlock()

	c.smPing("w1")
	c.smPing("w2")
	c.write(`<r xmlns='urn:xmpp:sm:3'/>`)
	if a := c.nextSM("a"); a.attr("h") != "1" {
		t.Fatalf("h after 2^32-1 and two more: %+v", a)
	}
	c.write(`<a xmlns='urn:xmpp:sm:3' h='1'/>`) // 2^32-1 + 2 results
	testwait.Until(t, "the wrapped ack to drop both results", 3*time.Second, func() (bool, string) {
		_, acked, unacked := smOf(t, ts, 5)
		return acked == 1 && unacked == 0, fmt.Sprintf("acked %d, unacked %d", acked, unacked)
	})

	// Acknowledging more than was sent ends the stream.
	c.write(`<a xmlns='urn:xmpp:sm:3' h='9'/>`)
	for {
		v := c.next(3 * time.Second)
		if se, ok := v.(gotStreamError); ok {
			if se.cond != condUndefined || !strings.Contains(se.text, "handled-count-too-high") {
				t.Fatalf("stream error %+v", se)
			}
			return
		}
	}
}

func TestSMResumeResendsUnacknowledged(t *testing.T) {
	ts := startServer(t, nil)
	alice, en := ts.smLogin(t, 5, true)
	if en.attr("resume") != "true" || en.attr("id") == "" || en.attr("max") != "60" {
		t.Fatalf("enabled %+v, want an id, resume and max=60", en)
	}
	alice.write(`<presence/>`) // one stanza handled from alice
	bob := ts.login(t, 6, "", true)
	for i := range 3 {
		bob.writeElem(chat(alice.jid, fmt.Sprintf("m%d", i), "hi"))
	}
	for i := range 3 {
		if m := alice.nextChat(); m.ID != fmt.Sprintf("m%d", i) {
			t.Fatalf("got %s", m.ID)
		}
	}
	alice.write(`<a xmlns='urn:xmpp:sm:3' h='1'/>`) // only m0
	alice.smPing("sync")                            // the ack is applied
	_ = alice.conn.Close()                          // the connection drops, no </stream:stream>

	testwait.For(t, "the session to detach", 3*time.Second, func() bool {
		s := ts.srv.reg.sessions(5)
		return len(s) == 1 && !s[0].attached()
	})
	bob.writeElem(chat(alice.jid, "m3", "while away"))
	bob.ping("after-m3")
	if n := ts.backend.queued(5); n != 0 {
		t.Fatalf("%d queued offline while the session waits for resumption", n)
	}

	again, _ := ts.smConnect(t, 5)
	again.jid = alice.jid
	again.startReader()
	again.write(`<resume xmlns='urn:xmpp:sm:3' previd='` + en.attr("id") + `' h='1'/>`)
	resumed := again.nextSM("resumed")
	if resumed.attr("previd") != en.attr("id") || resumed.attr("h") != "2" {
		t.Fatalf("resumed %+v, want previd and h=2 (the presence and the ping)", resumed)
	}
	// Everything h=1 did not cover comes again, in order and once: m1, m2, the ping's
	// result, then m3, held while away.
	var got []string
	for len(got) < 4 {
		switch v := again.nextStanza().(type) {
		case *cube.MessageStanza:
			got = append(got, v.ID)
		case *iqStanza:
			got = append(got, "iq:"+v.ID)
		default:
			t.Fatalf("after resume: %T %+v", v, v)
		}
	}
	if want := "m1 m2 iq:sync m3"; strings.Join(got, " ") != want {
		t.Fatalf("resent %q, want %q", strings.Join(got, " "), want)
	}
	again.smPing("live")
	if !ts.srv.reg.sessions(5)[0].attached() {
		t.Fatal("the resumed session is not attached")
	}
	again.write(`<r xmlns='urn:xmpp:sm:3'/>`)
	if a := again.nextSM("a"); a.attr("h") != "3" {
		t.Fatalf("h after resume %+v, want 3 (presence and two pings)", a)
	}
}

func TestSMResumeTakesOverALiveConnection(t *testing.T) {
	ts := startServer(t, nil)
	alice, en := ts.smLogin(t, 5, true)
	bob := ts.login(t, 6, "", true)
	bob.writeElem(chat(alice.jid, "m0", "hi"))
	alice.nextChat()

	// The client gave up on a connection the server still holds open.
	again, _ := ts.smConnect(t, 5)
	again.jid = alice.jid
	again.startReader()
	again.write(`<resume xmlns='urn:xmpp:sm:3' previd='` + en.attr("id") + `' h='0'/>`)
	again.nextSM("resumed")
	if m := again.nextChat(); m.ID != "m0" {
		t.Fatalf("resent %s", m.ID)
	}
	for {
		v := alice.next(3 * time.Second)
		if _, ok := v.(error); ok {
			break // the old connection was dropped
		}
	}
	bob.writeElem(chat(alice.jid, "m1", "after"))
	if m := again.nextChat(); m.ID != "m1" {
		t.Fatalf("after the takeover got %s", m.ID)
	}
	if n := len(ts.srv.reg.sessions(5)); n != 1 {
		t.Fatalf("%d sessions after the takeover", n)
	}
}

func TestSMResumeUnknownIDFails(t *testing.T) {
	ts := startServer(t, nil)
	_, en := ts.smLogin(t, 6, true) // another user's session
	c, _ := ts.smConnect(t, 5)
	for _, previd := range []string{"nope", en.attr("id")} {
		c.write(`<resume xmlns='urn:xmpp:sm:3' previd='` + previd + `' h='0'/>`)
		se := c.nextStart()
		var f node
		if err := c.dec.DecodeElement(&f, &se); err != nil {
			t.Fatal(err)
		}
		if se.Name.Local != "failed" || f.child("item-not-found") == nil {
			t.Fatalf("resume %s: <%s/> %+v", previd, se.Name.Local, f)
		}
	}
	c.jid = c.bind("") // the stream goes on: the client binds a new session
	if !strings.HasPrefix(c.jid, "5-1@localhost/") {
		t.Fatalf("bound %s", c.jid)
	}
}

func TestSMWindowExpiryQueuesOffline(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.ResumeWindow = 300 * time.Millisecond })
	alice, en := ts.smLogin(t, 5, true)
	if en.attr("max") != "0" {
		// 300 ms rounds down to 0 whole seconds on the wire; the window itself holds.
		t.Logf("max=%s", en.attr("max"))
	}
	bob := ts.login(t, 6, "", true)
	bob.writeElem(chat(alice.jid, "m0", "never acknowledged"))
	bob.writeElem(&cube.MessageStanza{To: alice.jid, Type: cube.ChatType, ID: "t0", Composing: &cube.Empty{}})
	alice.nextChat()
	alice.nextChat()
	_ = alice.conn.Close()

	testwait.For(t, "the window to run out", 5*time.Second, func() bool {
		return !ts.srv.Online(5) && ts.backend.queued(5) == 1
	})
	// The expired id is gone.
	c, _ := ts.smConnect(t, 5)
	c.write(`<resume xmlns='urn:xmpp:sm:3' previd='` + en.attr("id") + `' h='0'/>`)
	if se := c.nextStart(); se.Name.Local != "failed" {
		t.Fatalf("resume after expiry: %v", se.Name)
	}
	_ = c.dec.Skip()
	c.jid = c.bind("")
	c.startReader()
	c.write(`<presence/>`)
	m := c.nextMessage()
	if m.ID != "m0" || m.Delay == nil {
		t.Fatalf("offline copy %+v, want m0 with a delay stamp", m)
	}
}

func TestSMUnresumableEndPlacesUnacknowledged(t *testing.T) {
	ts := startServer(t, nil)
	alice, _ := ts.smLogin(t, 5, false)
	bob := ts.login(t, 6, "", true)
	bob.writeElem(chat(alice.jid, "m0", "hi"))
	alice.nextChat()
	alice.write(`</stream:stream>`)
	testwait.For(t, "m0 to be queued offline", 3*time.Second, func() bool {
		return !ts.srv.Online(5) && ts.backend.queued(5) == 1
	})
}

func TestSMExpiryDeliversToANewerSession(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.ResumeWindow = 300 * time.Millisecond })
	alice, _ := ts.smLogin(t, 5, true)
	bob := ts.login(t, 6, "", true)
	bob.writeElem(chat(alice.jid, "m0", "hi"))
	alice.nextChat()
	_ = alice.conn.Close()
	testwait.For(t, "the session to detach", 3*time.Second, func() bool {
		s := ts.srv.reg.sessions(5)
		return len(s) == 1 && !s[0].attached()
	})
	// The client did not resume but signed in anew: at expiry it gets m0 live.
	fresh := ts.login(t, 5, "", true)
	m := fresh.nextMessage()
	if m.ID != "m0" || m.Delay == nil {
		t.Fatalf("fresh session got %+v", m)
	}
	if n := ts.backend.queued(5); n != 0 {
		t.Fatalf("queued %d as well", n)
	}
}

// expectSkippingR is expect for a stream management client: the server's <r/> may
// come first.
func (c *wsClient) expectSkippingR(space, local string) node {
	c.t.Helper()
	for {
		name, n, frame := c.recv()
		if name.Space == nsSM && name.Local == "r" {
			continue
		}
		if name.Space != space || name.Local != local {
			c.t.Fatalf("want {%s}%s, got frame %q", space, local, frame)
		}
		return n
	}
}

func TestSMOverWebSocketResumes(t *testing.T) {
	ts := startServer(t, nil)
	url := startWS(t, ts)
	alice, err := dialWS(t, url, "xmpp")
	if err != nil {
		t.Fatal(err)
	}
	jid := alice.login("5")
	alice.send(`<enable xmlns="urn:xmpp:sm:3" resume="true"/>`)
	en, _ := alice.expect(nsSM, "enabled")
	bob := ts.login(t, 6, "", true)
	bob.writeElem(chat(jid, "m0", "hi"))
	alice.expectSkippingR(cube.NSClient, "message")
	alice.send(`<r xmlns="urn:xmpp:sm:3"/>`)
	if a := alice.expectSkippingR(nsSM, "a"); a.attr("h") != "0" {
		t.Fatalf("<a/> %+v", a)
	}
	_ = alice.ws.CloseNow()
	testwait.For(t, "the session to detach", 3*time.Second, func() bool {
		s := ts.srv.reg.sessions(5)
		return len(s) == 1 && !s[0].attached()
	})

	again, err := dialWS(t, url, "xmpp")
	if err != nil {
		t.Fatal(err)
	}
	again.send(wsOpen)
	again.expect(nsFraming, "open")
	again.expect(nsStream, "features")
	again.send(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">` +
		base64.StdEncoding.EncodeToString([]byte("\x005-1\x00"+testPassword)) + `</auth>`)
	again.expect(nsSASL, "success")
	again.send(wsOpen)
	again.expect(nsFraming, "open")
	if f, _ := again.expect(nsStream, "features"); f.child("sm") == nil {
		t.Fatalf("no sm feature over WebSocket: %+v", f)
	}
	again.send(`<resume xmlns="urn:xmpp:sm:3" previd="` + en.attr("id") + `" h="0"/>`)
	again.expect(nsSM, "resumed")
	if m := again.expectSkippingR(cube.NSClient, "message"); m.attr("id") != "m0" {
		t.Fatalf("resent %+v", m)
	}
}

func TestSMLaggingClientDoesNotLoop(t *testing.T) {
	ts := startServer(t, nil)
	c, _ := ts.smLogin(t, 5, false)
	// Two results and exactly one request for them (one <r/> is in flight at a time),
	// in whatever order the writer got to them.
	c.write(`<iq type='get' id='l1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>` +
		`<iq type='get' id='l2' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`)
	results, requests := 0, 0
	for results+requests < 3 {
		switch v := c.next(3 * time.Second).(type) {
		case *iqStanza:
			results++
		case *node:
			if v.XMLName.Local != "r" {
				t.Fatalf("got %+v", v)
			}
			requests++
		}
	}
	if results != 2 || requests != 1 {
		t.Fatalf("%d results, %d requests", results, requests)
	}
	// The client counts one result too few: the ack makes progress, so the server asks
	// once more; the same answer makes none, and the server stops asking.
	c.write(`<a xmlns='urn:xmpp:sm:3' h='1'/>`)
	c.nextSM("r")
	c.write(`<a xmlns='urn:xmpp:sm:3' h='1'/>`)
	c.expectSilence(300 * time.Millisecond)
	if _, acked, unacked := smOf(t, ts, 5); acked != 1 || unacked != 1 {
		t.Fatalf("acked %d, unacked %d", acked, unacked)
	}
}

func TestSMCloseHandsDetachedSessionsToTheOfflineQueue(t *testing.T) {
	ts := startServer(t, nil)
	alice, _ := ts.smLogin(t, 5, true)
	bob := ts.login(t, 6, "", true)
	bob.writeElem(chat(alice.jid, "m0", "hi"))
	alice.nextChat()
	_ = alice.conn.Close()
	testwait.For(t, "the session to detach", 3*time.Second, func() bool {
		s := ts.srv.reg.sessions(5)
		return len(s) == 1 && !s[0].attached()
	})
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if n := ts.backend.queued(5); n != 1 {
		t.Fatalf("queued %d after Close, want m0", n)
	}
}

func TestSMBadElements(t *testing.T) {
	ts := startServer(t, nil)
	// Before <enable/>: <r/> and <a/> are ignored, <resume/> on a bound stream fails.
	c := ts.login(t, 5, "", false)
	c.write(`<r xmlns='urn:xmpp:sm:3'/><a xmlns='urn:xmpp:sm:3' h='3'/>`)
	c.write(`<resume xmlns='urn:xmpp:sm:3' previd='x' h='0'/>`)
	if f := c.nextSM("failed"); f.child("unexpected-request") == nil {
		t.Fatalf("resume on a bound stream: %+v", f)
	}
	c.ping("still-served")

	// An <a/> without a number ends the stream.
	d, _ := ts.smLogin(t, 6, false)
	d.write(`<a xmlns='urn:xmpp:sm:3' h='many'/>`)
	for {
		if se, ok := d.next(3 * time.Second).(gotStreamError); ok {
			if se.cond != condUndefined {
				t.Fatalf("stream error %+v", se)
			}
			return
		}
	}
}

// A password change or a deleted account ends a session that waits for its
// resumption too: nobody may resume it with what was valid before.
func TestSMRevokedCredentialsEndDetachedSessions(t *testing.T) {
	ts := startServer(t, nil)
	alice, en := ts.smLogin(t, 5, true)
	_ = alice.conn.Close() // dropped: the session waits for a resumption
	testwait.For(t, "the session to detach", 3*time.Second, func() bool {
		s := ts.srv.reg.sessions(5)
		return len(s) == 1 && !s[0].attached()
	})
	ts.srv.CredentialsRevoked(5)
	if n := len(ts.srv.reg.sessions(5)); n != 0 {
		t.Fatalf("%d sessions left after the credentials were revoked", n)
	}
	c, _ := ts.smConnect(t, 5)
	c.write(`<resume xmlns='urn:xmpp:sm:3' previd='` + en.attr("id") + `' h='0'/>`)
	se := c.nextStart()
	if se.Name.Local != "failed" {
		t.Fatalf("resuming a revoked session: <%s/>, want <failed/>", se.Name.Local)
	}
}
