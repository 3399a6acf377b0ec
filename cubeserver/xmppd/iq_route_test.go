package xmppd

import (
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
	"github.com/xmppo/go-xmpp"
)

// IQs between users (RFC 6121 §8.5): to a full JID they are the client's to answer,
// to a bare JID the server answers on the account's behalf.

// recvIQ reads go-xmpp stanzas until an IQ with this id comes (go-xmpp answers pings
// addressed to it by itself, inside Recv).
func recvIQ(t *testing.T, c *xmpp.Client, id string) xmpp.IQ {
	t.Helper()
	got := make(chan any, 1)
	go func() {
		for {
			v, err := c.Recv()
			if err != nil {
				got <- err
				return
			}
			if iq, ok := v.(xmpp.IQ); ok && iq.ID == id {
				got <- iq
				return
			}
		}
	}()
	v, _ := testwait.Recv(t, c.JID()+" receiving iq "+id, 5*time.Second, got)
	iq, ok := v.(xmpp.IQ)
	if !ok {
		t.Fatalf("%s: want iq %s, got %v", c.JID(), id, v)
	}
	return iq
}

// TestIQToFullJIDReachesThatClient: a plain client pings another user's resource
// (XEP-0199 client to client); the resource answers and the answer comes back.
func TestIQToFullJIDReachesThatClient(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.goxmppLogin(t, "5", "")
	bob := ts.goxmppLogin(t, "6", "desk")
	readerDone := make(chan error, 1)
	go func() { // bob's go-xmpp answers the ping inside Recv
		for {
			if _, err := bob.Recv(); err != nil {
				readerDone <- err
				return
			}
		}
	}()
	// Runs before goxmppLogin's cleanup (LIFO): go-xmpp's Close reads the stream too, so
	// bob's reader must have ended first. Closing our side makes the server close its.
	t.Cleanup(func() {
		_, _ = bob.SendOrg("</stream:stream>")
		select {
		case <-readerDone:
		case <-time.After(5 * time.Second):
			t.Error("bob's reader did not end after the stream closed")
		}
	})
	if _, err := alice.SendOrg(`<iq type='get' to='6-1@localhost/desk' id='cping'><ping xmlns='urn:xmpp:ping'/></iq>`); err != nil {
		t.Fatal(err)
	}
	iq := recvIQ(t, alice, "cping")
	if iq.Type != "result" || iq.From != "6-1@localhost/desk" {
		t.Fatalf("answer %+v", iq)
	}
}

// TestIQRouting: the request reaches the resource from the sender's full JID with its
// payload untouched, and the answer goes back; an offline resource, a blocked sender
// and an unknown namespace at a bare JID get service-unavailable.
func TestIQRouting(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "a", true)
	alice2 := ts.login(t, 5, "b", true)
	bob := ts.login(t, 6, "desk", true)

	alice.write(`<iq type='get' to='6-1@localhost/desk' id='v1'><query xmlns='jabber:iq:version'><x xmlns='urn:example:p' k='v'>t</x></query></iq>`)
	req := bob.nextIQ()
	p := req.payload()
	if req.ID != "v1" || req.Type != "get" || req.From != alice.jid || req.To != bob.jid || p == nil ||
		p.XMLName.Space != "jabber:iq:version" || p.child("x") == nil || p.child("x").XMLName.Space != "urn:example:p" ||
		p.child("x").attr("k") != "v" || p.child("x").Text != "t" {
		t.Fatalf("routed request %+v", req)
	}
	bob.write(`<iq type='result' to='` + alice.jid + `' id='v1'><query xmlns='jabber:iq:version'><name>bob</name></query></iq>`)
	res := alice.nextIQ()
	if res.ID != "v1" || res.Type != "result" || res.From != bob.jid || res.payload() == nil || res.payload().child("name").Text != "bob" {
		t.Fatalf("routed answer %+v", res)
	}

	// Between two resources of one user too.
	alice.write(`<iq type='get' to='` + alice2.jid + `' id='own'><ping xmlns='urn:xmpp:ping'/></iq>`)
	if got := alice2.nextIQ(); got.ID != "own" || got.From != alice.jid {
		t.Fatalf("own resource got %+v", got)
	}

	refusals := []struct{ name, to, payload, cond string }{
		{"offline resource", "6-1@localhost/gone", `<ping xmlns='urn:xmpp:ping'/>`, "service-unavailable"},
		{"unknown namespace at a bare JID", "6-1@localhost", `<query xmlns='urn:example:nothing'/>`, "service-unavailable"},
		{"unknown user", "99-1@localhost", `<ping xmlns='urn:xmpp:ping'/>`, "service-unavailable"},
		{"unknown user's resource", "99-1@localhost/x", `<ping xmlns='urn:xmpp:ping'/>`, "service-unavailable"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			alice.write(`<iq type='get' to='` + tc.to + `' id='r1'>` + tc.payload + `</iq>`)
			got := alice.nextIQ()
			if got.ID != "r1" || got.Type != "error" || got.From != tc.to || iqErrCond(got) != tc.cond {
				t.Fatalf("want %s from %s, got %+v", tc.cond, tc.to, got)
			}
		})
	}

	// The server answers a ping to an account on its behalf.
	alice.write(`<iq type='get' to='6-1@localhost' id='bp'><ping xmlns='urn:xmpp:ping'/></iq>`)
	if got := alice.nextIQ(); got.ID != "bp" || got.Type != "result" || got.From != "6-1@localhost" {
		t.Fatalf("ping of an account: %+v", got)
	}

	// Bob blocks alice's IQs: her request bounces and bob sees nothing.
	if iq := bob.privacyIQ("set", `<list name='l'><item type='jid' value='5-1@localhost' action='deny' order='1'><iq/></item></list>`); iq.Type != "result" {
		t.Fatalf("list: %+v", iq)
	}
	if iq := bob.privacyIQ("set", `<active name='l'/>`); iq.Type != "result" {
		t.Fatalf("active: %+v", iq)
	}
	alice.write(`<iq type='get' to='` + bob.jid + `' id='blk'><ping xmlns='urn:xmpp:ping'/></iq>`)
	if got := alice.nextIQ(); got.ID != "blk" || got.Type != "error" || iqErrCond(got) != "service-unavailable" {
		t.Fatalf("blocked iq: %+v", got)
	}
	bob.ping("after") // the blocked request would have come before this answer
}

// TestRoutedIQSizeCap: a payload that re-encodes over the stanza limit is refused,
// not relayed (the recipient's client caps what it reads).
func TestRoutedIQSizeCap(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxStanzaBytes = 4096 })
	alice := ts.login(t, 5, "", true)
	bob := ts.login(t, 6, "desk", true)
	alice.write(`<iq type='set' to='` + bob.jid + `' id='big'><q xmlns='urn:example:q'>` + strings.Repeat(`<a/>`, 900) + `</q></iq>`)
	if got := alice.nextIQ(); got.ID != "big" || got.Type != "error" || iqErrCond(got) != "policy-violation" {
		t.Fatalf("want policy-violation, got %+v", got)
	}
	bob.ping("b1") // the refused request would have come before this answer
}
