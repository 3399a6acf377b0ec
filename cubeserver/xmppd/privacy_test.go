package xmppd

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// iqErrCond returns the defined condition of an error IQ, "" for a result.
func iqErrCond(iq *iqStanza) string {
	for _, p := range iq.Payload {
		if p.XMLName.Local == "error" && len(p.Children) > 0 {
			return p.Children[0].XMLName.Local
		}
	}
	return ""
}

// privacyIQ sends a jabber:iq:privacy request and returns the answer.
func (c *rawClient) privacyIQ(typ, inner string) *iqStanza {
	c.t.Helper()
	c.write(`<iq type='` + typ + `' id='pv'><query xmlns='jabber:iq:privacy'>` + inner + `</query></iq>`)
	iq := c.nextIQ()
	if iq.ID != "pv" {
		c.t.Fatalf("answer to another iq: %+v", iq)
	}
	return iq
}

// blockList is what SDK 6 sends for "allow 7, block 5 one way, block 8 both ways".
const blockList = `<list name='myList'>
<item type='jid' value='7-1@localhost' action='allow' order='1'><message/><presence-in/><presence-out/><iq/></item>
<item type='jid' value='muc.localhost/7' action='allow' order='2'><message/><presence-in/><presence-out/><iq/></item>
<item type='jid' value='5-1@localhost' action='deny' order='3'><message/><presence-in/><presence-out/><iq/></item>
<item type='jid' value='muc.localhost/5' action='deny' order='4'><message/><presence-in/><presence-out/><iq/></item>
<item type='jid' value='8-1@localhost' action='deny' order='6'/>
<item type='jid' value='muc.localhost/8' action='deny' order='5'/>
</list>`

func TestPrivacyListIQs(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.login(t, 6, "", true)
	steps := []struct {
		name, typ, inner string
		wantErr          string // "" = result
		check            func(t *testing.T, q *node)
	}{
		{"create", "set", blockList, "", nil},
		{"names without default", "get", "", "", func(t *testing.T, q *node) {
			if len(q.Children) != 1 || q.Children[0].XMLName.Local != "list" || q.Children[0].attr("name") != "myList" {
				t.Fatalf("names %+v", q.Children)
			}
		}},
		{"set default", "set", `<default name='myList'/>`, "", nil},
		{"names with default", "get", "", "", func(t *testing.T, q *node) {
			if len(q.Children) != 2 || q.Children[0].XMLName.Local != "default" || q.Children[0].attr("name") != "myList" {
				t.Fatalf("names %+v", q.Children)
			}
		}},
		{"get list sorted by order", "get", `<list name='myList'/>`, "", func(t *testing.T, q *node) {
			items := q.child("list").Children
			var got []string
			for _, it := range items {
				got = append(got, it.attr("order")+":"+it.attr("value")+":"+it.attr("action")+":"+strconv.Itoa(len(it.Children)))
			}
			want := "1:7-1@localhost:allow:4 2:muc.localhost/7:allow:4 3:5-1@localhost:deny:4 4:muc.localhost/5:deny:4 5:muc.localhost/8:deny:0 6:8-1@localhost:deny:0"
			if strings.Join(got, " ") != want {
				t.Fatalf("items\n got %s\nwant %s", strings.Join(got, " "), want)
			}
		}},
		{"get unknown list", "get", `<list name='nope'/>`, "item-not-found", nil},
		{"default to unknown list", "set", `<default name='nope'/>`, "item-not-found", nil},
		{"active to unknown list", "set", `<active name='nope'/>`, "item-not-found", nil},
		{"bad order", "set", `<list name='x'><item type='jid' value='5-1@localhost' action='deny' order='first'/></list>`, "bad-request", nil},
		{"bad action", "set", `<list name='x'><item type='jid' value='5-1@localhost' action='block' order='1'/></list>`, "bad-request", nil},
		{"duplicate order", "set", `<list name='x'><item type='jid' value='5-1@localhost' action='deny' order='1'/><item action='allow' order='1'/></list>`, "bad-request", nil},
		{"two changes at once", "set", `<active name='myList'/><default/>`, "bad-request", nil},
		{"list without name", "set", `<list/>`, "bad-request", nil},
		{"delete unknown list", "set", `<list name='nope'/>`, "item-not-found", nil},
		{"set active", "set", `<active name='myList'/>`, "", nil},
		{"names with active", "get", "", "", func(t *testing.T, q *node) {
			if q.child("active") == nil || q.child("active").attr("name") != "myList" {
				t.Fatalf("names %+v", q.Children)
			}
		}},
		{"decline active", "set", `<active/>`, "", nil},
		{"decline default", "set", `<default/>`, "", nil},
		{"delete", "set", `<list name='myList'/>`, "", nil},
		{"names after delete", "get", "", "", func(t *testing.T, q *node) {
			if len(q.Children) != 0 {
				t.Fatalf("names %+v", q.Children)
			}
		}},
	}
	for _, st := range steps {
		iq := c.privacyIQ(st.typ, st.inner)
		if cond := iqErrCond(iq); cond != st.wantErr || (st.wantErr == "" && iq.Type != "result") {
			t.Fatalf("%s: got %s %q, want error %q", st.name, iq.Type, cond, st.wantErr)
		}
		if st.check != nil {
			q := iq.payload()
			if q == nil || q.XMLName.Space != cube.NSPrivacy {
				t.Fatalf("%s: no privacy query in %+v", st.name, iq)
			}
			st.check(t, q)
		}
	}
}

func TestPrivacyDeleteListInUseElsewhereConflicts(t *testing.T) {
	ts := startServer(t, nil)
	phone := ts.login(t, 6, "phone", true)
	desk := ts.login(t, 6, "desk", true)
	phone.privacyIQ("set", blockList)
	phone.privacyIQ("set", `<list name='open'><item action='allow' order='1'/></list>`)
	phone.privacyIQ("set", `<default name='myList'/>`)
	if cond := iqErrCond(phone.privacyIQ("set", `<list name='myList'/>`)); cond != "conflict" {
		t.Fatalf("deleting the default another resource uses: %q", cond)
	}
	// Once the desk resource governs itself with another list, the default is free.
	desk.privacyIQ("set", `<active name='open'/>`)
	if cond := iqErrCond(phone.privacyIQ("set", `<list name='myList'/>`)); cond != "" {
		t.Fatalf("delete: %q", cond)
	}
	if cond := iqErrCond(phone.privacyIQ("set", `<list name='open'/>`)); cond != "conflict" {
		t.Fatalf("deleting the desk's active list: %q", cond)
	}
}

// blocked503 checks ConnectyCube's answer to a privacy-blocked message.
func blocked503(t *testing.T, got *cube.MessageStanza, id, from string) {
	t.Helper()
	if got.Type != cube.ErrorType || got.ID != id || got.From != from || got.Error == nil || got.Error.Code != "503" ||
		got.Error.Type != "cancel" || got.Error.Condition.XMLName.Local != "service-unavailable" || got.Error.Text != "Service not available." {
		t.Fatalf("want a 503 service-unavailable bounce of %s from %s, got %+v (error %+v)", id, from, got, got.Error)
	}
}

func TestPrivacyBlocksOneToOne(t *testing.T) {
	ts := startServer(t, nil)
	bob := ts.login(t, 6, "", true)
	bob.privacyIQ("set", blockList)
	bob.privacyIQ("set", `<default name='myList'/>`)
	alice := ts.login(t, 5, "", true) // blocked one way by bob
	carol := ts.login(t, 7, "", true) // allowed
	dave := ts.login(t, 8, "", true)  // blocked both ways

	cases := []struct {
		name    string
		from    *rawClient
		to      *rawClient
		blocked bool
	}{
		{"one-way: blocked user cannot write", alice, bob, true},
		{"one-way: blocker can still write", bob, alice, false},
		{"allowed user", carol, bob, false},
		{"mutual: blocked user cannot write", dave, bob, true},
		{"mutual: blocker cannot write either", bob, dave, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(ts.backend.stored())
			id := cube.NewObjectID()
			tc.from.writeElem(chat(cube.BareJID(tc.to.jid), id, "hi", saveParam, cube.Param{Name: "k", Value: "v"}))
			if tc.blocked {
				got := tc.from.nextMessage()
				blocked503(t, got, id, cube.BareJID(tc.to.jid))
				if got.BodyText() != "hi" || got.Extra.Get("k") != "v" {
					t.Fatalf("bounce lost the original payload: %+v", got)
				}
				tc.to.expectSilence(100 * time.Millisecond)
				if n := len(ts.backend.stored()); n != before {
					t.Fatal("a blocked message was stored")
				}
				return
			}
			if got := tc.to.nextMessage(); got.ID != id {
				t.Fatalf("got %+v", got)
			}
		})
	}

	// Typing from a blocked user is dropped without an error.
	alice.write(`<message to='6-1@localhost' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`)
	alice.ping("p1")
	bob.expectSilence(100 * time.Millisecond)

	// Offline: the default list still applies, nothing is queued.
	bob.write(`</stream:stream>`)
	waitOffline(t, ts, 6)
	id := cube.NewObjectID()
	alice.writeElem(chat("6-1@localhost", id, "while you are away", saveParam))
	blocked503(t, alice.nextMessage(), id, "6-1@localhost")
	if n := ts.backend.queued(6); n != 0 {
		t.Fatalf("queued %d blocked stanzas", n)
	}
}

func waitOffline(t *testing.T, ts *testServer, uid int64) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for ts.srv.Online(uid) {
		if time.Now().After(deadline) {
			t.Fatalf("user %d still online", uid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPrivacyActiveListGovernsItsSession(t *testing.T) {
	ts := startServer(t, nil)
	phone := ts.login(t, 6, "phone", true)
	desk := ts.login(t, 6, "desk", true)
	phone.privacyIQ("set", blockList)
	phone.privacyIQ("set", `<list name='open'><item action='allow' order='1'/></list>`)
	phone.privacyIQ("set", `<default name='myList'/>`)
	desk.privacyIQ("set", `<active name='open'/>`)
	alice := ts.login(t, 5, "", true)
	id := cube.NewObjectID()
	alice.writeElem(chat("6-1@localhost", id, "only the desk hears me"))
	if got := desk.nextMessage(); got.ID != id {
		t.Fatalf("desk got %+v", got)
	}
	phone.expectSilence(100 * time.Millisecond)
}

func TestPrivacyInGroups(t *testing.T) {
	ts := startServer(t, nil)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, UserID: 7, OccupantsIDs: []int64{5, 6, 7, 8}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	bob := ts.login(t, 6, "", true)
	bob.privacyIQ("set", blockList)
	bob.privacyIQ("set", `<default name='myList'/>`)
	alice := ts.login(t, 5, "", true)
	carol := ts.login(t, 7, "", true)
	dave := ts.login(t, 8, "", true)

	send := func(from *rawClient, body string) string {
		id := cube.NewObjectID()
		from.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id, Body: cube.Str(body),
			Extra: &cube.ExtraParams{Params: []cube.Param{saveParam}}})
		return id
	}
	expect := func(c *rawClient, id string) {
		t.Helper()
		if got := c.nextMessage(); got.ID != id {
			t.Fatalf("%s got %+v, want %s", c.jid, got, id)
		}
	}
	// Alice (blocked one way): everyone but bob hears her, and it is stored.
	id := send(alice, "from alice")
	expect(alice, id)
	expect(carol, id)
	expect(dave, id)
	bob.expectSilence(100 * time.Millisecond)
	if n := len(ts.backend.stored()); n != 1 {
		t.Fatalf("stored %d", n)
	}
	// Bob blocked dave both ways: dave does not hear bob, bob does not hear dave.
	id = send(bob, "from bob")
	expect(bob, id)
	expect(alice, id)
	expect(carol, id)
	dave.expectSilence(100 * time.Millisecond)
	id = send(dave, "from dave")
	expect(dave, id)
	expect(alice, id)
	expect(carol, id)
	bob.expectSilence(100 * time.Millisecond)
}

func TestJIDMatches(t *testing.T) {
	cases := []struct {
		value, peer string
		want        bool
	}{
		{"5-1@localhost", "5-1@localhost/res", true},
		{"5-1@localhost", "5-1@LOCALHOST", true},
		{"5-1@localhost", "51-1@localhost/res", false},
		{"5-1@localhost/a", "5-1@localhost/b", false},
		{"5-1@localhost/a", "5-1@localhost/a", true},
		{"muc.localhost/5", "1_abc@muc.localhost/5", true},
		{"muc.localhost/5", "1_abc@muc.localhost/55", false},
		{"muc.localhost/5", "5-1@localhost", false},
		{"localhost", "9-1@localhost/x", true},
		{"localhost", "1_abc@muc.localhost/5", false},
	}
	for _, tc := range cases {
		if got := jidMatches(tc.value, tc.peer); got != tc.want {
			t.Errorf("jidMatches(%q, %q) = %v", tc.value, tc.peer, got)
		}
	}
}

func TestAllowsFirstMatchingItemDecides(t *testing.T) {
	items := []cube.PrivacyItem{
		{Type: "jid", Value: "5-1@localhost", Action: "allow", Order: 1, Kinds: []string{"iq"}},
		{Type: "jid", Value: "5-1@localhost", Action: "deny", Order: 2, Kinds: []string{"message"}},
		{Type: "subscription", Value: "none", Action: "deny", Order: 3},
	}
	cases := []struct {
		kind, peer string
		outgoing   bool
		want       bool
	}{
		{"iq", "5-1@localhost/r", false, true},
		{"message", "5-1@localhost/r", false, false},
		{"message", "7-1@localhost/r", false, false}, // nobody has a roster: subscription none matches all
		{"", "5-1@localhost", true, false},           // outgoing sees only the kind-less item
	}
	for _, tc := range cases {
		if got := allows(items, tc.kind, tc.peer, tc.outgoing); got != tc.want {
			t.Errorf("allows(%s, %s, outgoing=%v) = %v", tc.kind, tc.peer, tc.outgoing, got)
		}
	}
}
