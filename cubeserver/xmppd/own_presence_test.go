package xmppd

import (
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
	"github.com/xmppo/go-xmpp"
)

// A user's available resources see each other's presence (RFC 6121 §4.2.2, §4.5.2):
// a new resource's initial presence goes to the others, it gets theirs, and its
// going offline is told to them. Other users get none of it (no rosters here).

// recvStanza reads the next stanza go-xmpp hands out.
func recvStanza(t *testing.T, c *xmpp.Client) any {
	t.Helper()
	got := make(chan any, 1)
	go func() {
		v, err := c.Recv()
		if err != nil {
			got <- err
			return
		}
		got <- v
	}()
	v, _ := testwait.Recv(t, c.JID()+" receiving", 5*time.Second, got)
	return v
}

func recvPresence(t *testing.T, c *xmpp.Client) xmpp.Presence {
	t.Helper()
	v := recvStanza(t, c)
	p, ok := v.(xmpp.Presence)
	if !ok {
		t.Fatalf("%s: want presence, got %T %+v", c.JID(), v, v)
	}
	return p
}

// syncPing pings the server and reads up to its answer, failing on anything else.
func syncPing(t *testing.T, c *xmpp.Client, id string) {
	t.Helper()
	if _, err := c.SendOrg(`<iq type='get' to='localhost' id='` + id + `'><ping xmlns='urn:xmpp:ping'/></iq>`); err != nil {
		t.Fatal(err)
	}
	if iq, ok := recvStanza(t, c).(xmpp.IQ); !ok || iq.ID != id || iq.Type != "result" {
		t.Fatalf("%s: want only the ping answer %s, got %+v", c.JID(), id, iq)
	}
}

func TestInitialPresenceReachesOwnResources(t *testing.T) {
	ts := startServer(t, nil)
	phone := ts.goxmppLogin(t, "5", "phone")
	syncPing(t, phone, "p0") // nobody else of user 5 is online: nothing comes
	desk := ts.goxmppLogin(t, "5", "desk", func(o *xmpp.Options) { o.Status, o.StatusMessage = "away", "at lunch" })

	p := recvPresence(t, phone)
	if p.From != "5-1@localhost/desk" || p.Type != "" || p.Show != "away" || p.Status != "at lunch" {
		t.Fatalf("phone got %+v", p)
	}
	if p := recvPresence(t, desk); p.From != "5-1@localhost/phone" || p.Type != "" {
		t.Fatalf("desk got %+v of the phone", p)
	}

	bob := ts.goxmppLogin(t, "6", "")
	syncPing(t, bob, "b1")   // bob's presence is processed…
	syncPing(t, phone, "p1") // …and went to no one of user 5

	if err := closeGoXMPP(desk); err != nil {
		t.Fatal(err)
	}
	if p := recvPresence(t, phone); p.From != "5-1@localhost/desk" || p.Type != "unavailable" {
		t.Fatalf("phone got %+v when the desk left", p)
	}
}

// TestUnavailablePresenceAndRawClients: a resource that says it is unavailable is
// told to the others at once, and stops getting their presence; a resource that never
// sent presence gets none.
func TestUnavailablePresenceAndRawClients(t *testing.T) {
	ts := startServer(t, nil)
	silent := ts.login(t, 5, "silent", false)
	a := ts.login(t, 5, "a", true)
	b := ts.login(t, 5, "b", true)
	if p := a.nextOwnPresence(); p.From != b.jid || p.Type != "" {
		t.Fatalf("a got %+v", p)
	}
	if p := b.nextOwnPresence(); p.From != a.jid {
		t.Fatalf("b got %+v", p)
	}
	b.write(`<presence type='unavailable'><status>bye</status></presence>`)
	b.ping("b1")
	p := a.nextOwnPresence()
	if p.From != b.jid || p.Type != "unavailable" || len(p.Other) != 1 || p.Other[0].Name.Local != "status" {
		t.Fatalf("a got %+v", p)
	}
	a.write(`<presence><show>dnd</show></presence>`)
	a.ping("a1")
	silent.ping("s1")
	b.ping("b2")
	if len(silent.own) != 0 || len(b.own) != 0 {
		t.Fatalf("presence reached resources that are not available: silent %d, b %d", len(silent.own), len(b.own))
	}
}
