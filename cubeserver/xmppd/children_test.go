package xmppd

import (
	"encoding/xml"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
	"github.com/xmppo/go-xmpp"
)

// Message children the server does not model (receipts, stable ids, threads, links,
// private namespaces) reach the recipient as the sender wrote them.

// goxmppLogin logs in with go-xmpp over STARTTLS and closes the client at the end.
func (ts *testServer) goxmppLogin(t *testing.T, uid, resource string, tweaks ...func(*xmpp.Options)) *xmpp.Client {
	t.Helper()
	c, err := ts.goxmppClient(t, uid+"-1@localhost", testPassword, resource, true, tweaks...)
	if err != nil {
		t.Fatalf("login %s: %v", uid, err)
	}
	t.Cleanup(func() { _ = closeGoXMPP(c) })
	return c
}

// goxmppClosed records the clients closed already: go-xmpp's Close hangs when called
// a second time (it keeps its reader locked once the stream has ended).
var goxmppClosed sync.Map

func closeGoXMPP(c *xmpp.Client) error {
	if _, done := goxmppClosed.LoadOrStore(c, true); done {
		return nil
	}
	return c.Close()
}

// recvChat reads go-xmpp stanzas until a message comes.
func recvChat(t *testing.T, c *xmpp.Client) xmpp.Chat {
	t.Helper()
	got := make(chan any, 1)
	go func() {
		for {
			v, err := c.Recv()
			if err != nil {
				got <- err
				return
			}
			if ch, ok := v.(xmpp.Chat); ok {
				got <- ch
				return
			}
		}
	}()
	v, _ := testwait.Recv(t, c.JID()+" receiving a message", 5*time.Second, got)
	ch, ok := v.(xmpp.Chat)
	if !ok {
		t.Fatalf("%s: want a message, got %v", c.JID(), v)
	}
	return ch
}

// otherElem finds a child that go-xmpp did not consume itself.
func otherElem(ch xmpp.Chat, space, local string) *xmpp.XMLElement {
	for i, e := range ch.OtherElem {
		if e.XMLName.Space == space && e.XMLName.Local == local {
			return &ch.OtherElem[i]
		}
	}
	return nil
}

// privateElem is the shape of the private-namespace child of these tests, read back
// with namespaces resolved, so that it compares what the element means.
type privateElem struct {
	XMLName xml.Name `xml:"urn:example:private secret"`
	Level   string   `xml:"level,attr"`
	Deep    struct {
		Flag string `xml:"urn:example:other flag,attr"`
		Text string `xml:",chardata"`
	} `xml:"urn:example:other deep"`
	Plain string `xml:"urn:example:private plain"`
}

const privateChild = `<secret xmlns='urn:example:private' level='2'><p:deep xmlns:p='urn:example:other' p:flag='yes'>text &amp; &lt;more&gt;</p:deep><plain>v</plain></secret>`

func checkPrivate(t *testing.T, raw []byte) {
	t.Helper()
	var p privateElem
	if err := xml.Unmarshal(raw, &p); err != nil {
		t.Fatalf("private child %s: %v", raw, err)
	}
	if p.Level != "2" || p.Deep.Flag != "yes" || p.Deep.Text != "text & <more>" || p.Plain != "v" {
		t.Fatalf("private child changed: %+v from %s", p, raw)
	}
}

func TestUnknownChildrenRoutedToPlainClient(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.goxmppLogin(t, "5", "")
	bob := ts.goxmppLogin(t, "6", "desk")
	id := cube.NewObjectID()
	if _, err := alice.SendOrg(`<message to='6-1@localhost' type='chat' id='` + id + `' xml:lang='en'>` +
		`<body>hello</body><subject>topic</subject><thread parent='p1'>t-1</thread>` +
		`<request xmlns='urn:xmpp:receipts'/><origin-id xmlns='urn:xmpp:sid:0' id='o-1'/>` +
		`<x xmlns='jabber:x:oob'><url>https://example.com/a.png</url><desc>pic</desc></x>` + privateChild +
		`<extraParams xmlns='jabber:client'><save_to_history>1</save_to_history><mood>calm</mood></extraParams></message>`); err != nil {
		t.Fatal(err)
	}
	got := recvChat(t, bob)
	if got.ID != id || got.Text != "hello" || got.Subject != "topic" || got.Thread != "t-1" || got.OriginID != "o-1" ||
		got.Oob.Url != "https://example.com/a.png" || got.Oob.Desc != "pic" || got.Lang != "en" {
		t.Fatalf("relayed %+v", got)
	}
	if otherElem(got, "urn:xmpp:receipts", "request") == nil {
		t.Fatalf("receipt request lost: %+v", got.OtherElem)
	}
	sec := otherElem(got, "urn:example:private", "secret")
	if sec == nil {
		t.Fatalf("private child lost: %+v", got.OtherElem)
	}
	raw, err := xml.Marshal(sec)
	if err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, raw)

	// What the server models is stored as before, and nothing else.
	stored := ts.backend.stored()
	if len(stored) != 1 || stored[0].Message != "hello" || len(stored[0].Custom) != 1 || stored[0].Custom["mood"] != "calm" {
		t.Fatalf("stored %+v", stored)
	}

	// The receipt (XEP-0184) goes back to the sender's resource, unstored.
	if _, err := bob.SendOrg(`<message to='` + alice.JID() + `' type='chat' id='r1'><received xmlns='urn:xmpp:receipts' id='` + id + `'/></message>`); err != nil {
		t.Fatal(err)
	}
	receipt := recvChat(t, alice)
	rec := otherElem(receipt, "urn:xmpp:receipts", "received")
	if receipt.ID != "r1" || rec == nil || !slices.ContainsFunc(rec.Attr, func(a xml.Attr) bool { return a.Name.Local == "id" && a.Value == id }) {
		t.Fatalf("receipt %+v", receipt)
	}
	if n := len(ts.backend.stored()); n != 1 {
		t.Fatalf("%d messages stored, want the first only", n)
	}
}

// TestUnknownChildrenQueuedAndInGroups: the offline queue and the group fan-out keep
// unknown children too.
func TestUnknownChildrenQueuedAndInGroups(t *testing.T) {
	ts := startServer(t, nil)
	group := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, OccupantsIDs: []int64{5, 6}}
	ts.backend.addDialog(group)
	alice := ts.login(t, 5, "", true)
	extra := `<thread>t-2</thread><origin-id xmlns='urn:xmpp:sid:0' id='o-2'/>` + privateChild

	alice.write(`<message to='6-1@localhost' type='chat' id='q1'><body>while you were away</body>` + extra + `</message>`)
	alice.ping("p1")
	bob := ts.login(t, 6, "", true)
	checkChildren(t, bob.nextMessage(), "q1")

	alice.write(`<message to='` + ts.srv.roomJID(group.ID) + `' type='groupchat' id='g1'><body>all</body>` + extra + `</message>`)
	checkChildren(t, bob.nextMessage(), "g1")
	checkChildren(t, alice.nextMessage(), "g1") // the echo
}

func checkChildren(t *testing.T, m *cube.MessageStanza, id string) {
	t.Helper()
	if m.ID != id {
		t.Fatalf("want %s, got %+v", id, m)
	}
	b, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Thread   string `xml:"jabber:client thread"`
		OriginID struct {
			ID string `xml:"id,attr"`
		} `xml:"urn:xmpp:sid:0 origin-id"`
		Secret struct {
			Inner string `xml:",innerxml"`
		} `xml:"urn:example:private secret"`
	}
	if err := xml.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Thread != "t-2" || back.OriginID.ID != "o-2" {
		t.Fatalf("children lost in %s", b)
	}
	i := strings.Index(string(b), "<secret")
	j := strings.LastIndex(string(b), "</secret>")
	if i < 0 || j < i {
		t.Fatalf("private child lost in %s", b)
	}
	checkPrivate(t, b[i:j+len("</secret>")])
}

// TestServerOnlyChildrenAndPrivateCarbons: what only a server may write (a legacy
// delay stamp, a stanza id of this server) is not taken from a client, and a message
// marked <private/> (XEP-0280 §6) is not copied to the sender's other resources.
func TestServerOnlyChildrenAndPrivateCarbons(t *testing.T) {
	ts := startServer(t, nil)
	phone := ts.login(t, 5, "phone", true)
	desk := ts.login(t, 5, "desk", true)
	bob := ts.login(t, 6, "", true)
	desk.write(`<iq type='set' id='c1'><enable xmlns='urn:xmpp:carbons:2'/></iq>`)
	if iq := desk.nextIQ(); iq.Type != "result" {
		t.Fatalf("carbons: %+v", iq)
	}
	phone.write(`<message to='6-1@localhost' type='chat' id='s1'><body>secret</body><private xmlns='urn:xmpp:carbons:2'/>` +
		`<x xmlns='jabber:x:delay' stamp='20010101T00:00:00'/><stanza-id xmlns='urn:xmpp:sid:0' by='localhost' id='forged'/>` +
		`<stanza-id xmlns='urn:xmpp:sid:0' by='elsewhere.example' id='theirs'/></message>`)
	got := bob.nextMessage()
	var kept []string
	for _, e := range got.Other {
		kept = append(kept, e.Name.Space+" "+e.Name.Local)
	}
	want := []string{cube.NSCarbons + " private", "urn:xmpp:sid:0 stanza-id"}
	if !slices.Equal(kept, want) || got.Other[1].Attrs[1].Value != "theirs" {
		t.Fatalf("relayed children %v (%+v), want %v", kept, got.Other, want)
	}
	phone.ping("p1") // the message, and any carbon of it, is queued before this answer
	desk.ping("p2")  // so a carbon would come before this one
}

// TestUnknownChildrenSizeCap: children that would re-encode larger than the stanza
// limit are refused with the message, not relayed (a recipient's client caps what it
// reads, and such a stanza must not cost it its connection).
func TestUnknownChildrenSizeCap(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxStanzaBytes = 4096 })
	alice := ts.login(t, 5, "", true)
	bob := ts.login(t, 6, "", true)
	alice.write(`<message to='6-1@localhost' type='chat' id='big'><body>x</body><z xmlns='urn:example:z'>` + strings.Repeat(`<a/>`, 900) + `</z></message>`)
	got := alice.nextMessage()
	if got.Type != cube.ErrorType || got.ID != "big" || got.Error == nil || got.Error.Condition.XMLName.Local != "policy-violation" {
		t.Fatalf("want a policy-violation bounce, got %+v (error %+v)", got, got.Error)
	}
	alice.write(`<message to='6-1@localhost' type='chat' id='small'><body>x</body><z xmlns='urn:example:z'>` + strings.Repeat(`<a/>`, 100) + `</z></message>`)
	if m := bob.nextMessage(); m.ID != "small" || len(m.Other) != 1 || len(m.Other[0].Nodes) != 100 {
		t.Fatalf("bob got %+v", m)
	}
}
