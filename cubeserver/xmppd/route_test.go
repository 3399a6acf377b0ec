package xmppd

import (
	"strconv"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

func TestChatRelayCompletesStoresOnce(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	bob := ts.login(t, 6, "", true)

	id := cube.NewObjectID()
	m := chat("6-1@localhost/ignored", id, "hello <b>", saveParam, cube.Param{Name: "country", Value: "UA"})
	m.From = "7-1@localhost/forged"
	before := time.Now().Unix()
	alice.writeElem(m)

	got := bob.nextMessage()
	if got.From != alice.jid || got.ID != id || got.BodyText() != "hello <b>" || got.Type != cube.ChatType {
		t.Fatalf("relayed %+v", got)
	}
	dialogID := got.Extra.Get("dialog_id")
	if !cube.IsObjectID(dialogID) {
		t.Fatalf("dialog_id not completed: %+v", got.Extra)
	}
	sent, _ := strconv.ParseInt(got.Extra.Get("date_sent"), 10, 64)
	if sent < before || sent > time.Now().Unix() {
		t.Fatalf("date_sent %d not server time", sent)
	}
	stored := ts.backend.stored()
	if len(stored) != 1 {
		t.Fatalf("stored %d messages", len(stored))
	}
	s := stored[0]
	if s.ID != id || s.ChatDialogID != dialogID || s.SenderID != 5 || s.RecipientID != 6 || s.Message != "hello <b>" ||
		s.DateSent != sent || s.Custom["country"] != "UA" || len(s.Custom) != 1 || len(s.ReadIDs) != 1 || s.ReadIDs[0] != 5 {
		t.Fatalf("stored %+v", s)
	}

	// The same id again (an outbox re-send) is neither stored nor relayed twice.
	alice.writeElem(chat("6-1@localhost", id, "hello <b>", saveParam))
	alice.ping("p1")
	bob.expectSilence(200 * time.Millisecond)
	if n := len(ts.backend.stored()); n != 1 {
		t.Fatalf("repeated id stored %d times", n)
	}

	// With the dialog id given and milliseconds in date_sent.
	alice.writeElem(chat("6-1@localhost", "", "second", saveParam,
		cube.Param{Name: "dialog_id", Value: dialogID}, cube.Param{Name: "date_sent", Value: "1700000000123"}))
	got = bob.nextMessage()
	if !cube.IsObjectID(got.ID) || got.Extra.Get("date_sent") != "1700000000" || got.Extra.Get("dialog_id") != dialogID {
		t.Fatalf("second message %+v %+v", got, got.Extra)
	}
}

func TestChatWithoutHistoryIsRelayedNotStored(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	bob := ts.login(t, 6, "", true)
	alice.writeElem(chat("6-1@localhost", "not-an-object-id", "ephemeral"))
	got := bob.nextMessage()
	if got.ID != "not-an-object-id" || got.Extra.Get("dialog_id") == "" {
		t.Fatalf("relayed %+v", got)
	}
	if n := len(ts.backend.stored()); n != 0 {
		t.Fatalf("stored %d messages without save_to_history", n)
	}
}

func TestChatRefusals(t *testing.T) {
	ts := startServer(t, nil)
	group := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, OccupantsIDs: []int64{5, 6, 7}}
	ts.backend.addDialog(group)
	alice := ts.login(t, 5, "", true)
	cases := []struct {
		name       string
		msg        *cube.MessageStanza
		cond, code string
	}{
		{"unknown user", chat("99-1@localhost", "m1", "x", saveParam), "service-unavailable", "503"},
		{"other domain", chat("6-1@elsewhere", "m2", "x"), "item-not-found", "404"},
		{"unknown dialog_id", chat("6-1@localhost", "m3", "x", cube.Param{Name: "dialog_id", Value: cube.NewObjectID()}), "item-not-found", "404"},
		{"group dialog_id on 1-1", chat("6-1@localhost", "m4", "x", cube.Param{Name: "dialog_id", Value: group.ID}), "not-acceptable", "406"},
		{"unknown room", &cube.MessageStanza{To: ts.srv.roomJID(cube.NewObjectID()), Type: cube.GroupChatType, ID: "m5", Body: cube.Str("x")}, "item-not-found", "404"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alice.writeElem(tc.msg)
			got := alice.nextMessage()
			if got.Type != cube.ErrorType || got.ID != tc.msg.ID || got.Error == nil ||
				got.Error.Condition.XMLName.Local != tc.cond || got.Error.Code != tc.code {
				t.Fatalf("want %s/%s error, got %+v (error %+v)", tc.cond, tc.code, got, got.Error)
			}
		})
	}
}

func TestCarbonsToOtherResources(t *testing.T) {
	ts := startServer(t, nil)
	phone := ts.login(t, 5, "phone", true)
	desk := ts.login(t, 5, "desk", true)
	quiet := ts.login(t, 5, "quiet", true) // never enables carbons
	bob := ts.login(t, 6, "", true)
	desk.write(`<iq type='set' id='c1'><enable xmlns='urn:xmpp:carbons:2'/></iq>`)
	if iq := desk.nextIQ(); iq.ID != "c1" || iq.Type != "result" {
		t.Fatalf("carbons enable: %+v", iq)
	}
	id := cube.NewObjectID()
	phone.writeElem(chat("6-1@localhost", id, "from my phone", saveParam))

	if got := bob.nextMessage(); got.ID != id {
		t.Fatalf("recipient got %+v", got)
	}
	carbon := desk.nextMessage()
	if carbon.Sent == nil || carbon.Sent.Forwarded.Message == nil {
		t.Fatalf("want a <sent/> carbon, got %+v", carbon)
	}
	inner := carbon.Sent.Forwarded.Message
	if inner.ID != id || inner.From != phone.jid || inner.BodyText() != "from my phone" || inner.Extra.Get("dialog_id") == "" {
		t.Fatalf("forwarded copy %+v", inner)
	}
	phone.expectSilence(100 * time.Millisecond)
	quiet.expectSilence(100 * time.Millisecond)
}

func TestOfflineQueueDeliveredInOrderWithDelay(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	var ids []string
	for i := range 3 {
		id := cube.NewObjectID()
		ids = append(ids, id)
		alice.writeElem(chat("6-1@localhost", id, "offline "+strconv.Itoa(i), saveParam))
	}
	// A typing notification for an offline user is dropped, not queued.
	alice.write(`<message to='6-1@localhost' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`)
	alice.ping("p1")
	if n := ts.backend.queued(6); n != 3 {
		t.Fatalf("queued %d stanzas, want 3", n)
	}

	bob := ts.login(t, 6, "", true)
	for i, id := range ids {
		got := bob.nextMessage()
		if got.ID != id || got.BodyText() != "offline "+strconv.Itoa(i) || got.From != alice.jid {
			t.Fatalf("offline message %d: %+v", i, got)
		}
		if got.Delay == nil {
			t.Fatalf("offline message %d has no <delay/>", i)
		}
		if _, err := time.Parse(time.RFC3339, got.Delay.Stamp); err != nil || got.Delay.Stamp[len(got.Delay.Stamp)-1] != 'Z' {
			t.Fatalf("delay stamp %q is not RFC 3339 UTC", got.Delay.Stamp)
		}
	}
	bob.expectSilence(200 * time.Millisecond)
	if n := ts.backend.queued(6); n != 0 {
		t.Fatalf("%d stanzas left in the queue", n)
	}
}

func TestOfflineFlushWithoutPresence(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.OfflineFlushDelay = 100 * time.Millisecond })
	alice := ts.login(t, 5, "", true)
	id := cube.NewObjectID()
	alice.writeElem(chat("6-1@localhost", id, "waiting", saveParam))
	alice.ping("p1")
	bob := ts.login(t, 6, "", false) // never sends presence
	if got := bob.nextMessage(); got.ID != id || got.Delay == nil {
		t.Fatalf("flushed %+v", got)
	}
}

func TestTypingMarkersAndHeadlinesRelayed(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	bob := ts.login(t, 6, "", true)
	cases := []struct {
		name  string
		raw   string
		check func(m *cube.MessageStanza) bool
	}{
		{"composing", `<message to='6-1@localhost' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`,
			func(m *cube.MessageStanza) bool { return m.Composing != nil }},
		{"paused", `<message to='6-1@localhost' type='chat'><paused xmlns='http://jabber.org/protocol/chatstates'/></message>`,
			func(m *cube.MessageStanza) bool { return m.Paused != nil }},
		{"displayed marker", `<message to='6-1@localhost' type='chat' id='mk1'><displayed xmlns='urn:xmpp:chat-markers:0' id='orig'/><extraParams xmlns='jabber:client'><dialog_id>d1</dialog_id></extraParams></message>`,
			func(m *cube.MessageStanza) bool {
				return m.Displayed != nil && m.Displayed.ID == "orig" && m.Extra.Get("dialog_id") == "d1"
			}},
		{"system headline", `<message to='6-1@localhost' type='headline' id='h1'><extraParams xmlns='jabber:client'><moduleIdentifier>SystemNotifications</moduleIdentifier><k>v</k></extraParams></message>`,
			func(m *cube.MessageStanza) bool { return m.Type == cube.HeadlineType && m.Extra.Get("k") == "v" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alice.write(tc.raw)
			got := bob.nextMessage()
			if got.From != alice.jid || !tc.check(got) {
				t.Fatalf("relayed %+v", got)
			}
		})
	}
	if n := len(ts.backend.stored()); n != 0 {
		t.Fatalf("signals were stored: %d", n)
	}
}

func TestDeliverToEveryResource(t *testing.T) {
	ts := startServer(t, nil)
	a := ts.login(t, 6, "a", true)
	b := ts.login(t, 6, "b", true)
	ts.srv.Deliver(6, &cube.MessageStanza{From: "5-1@localhost", Type: cube.ChatType, ID: "srv1", Body: cube.Str("from REST")})
	for _, c := range []*rawClient{a, b} {
		if got := c.nextMessage(); got.ID != "srv1" || got.To != c.jid {
			t.Fatalf("%s got %+v", c.jid, got)
		}
	}
}

// TestReceivedCarbonsToOtherResources: a message addressed to one resource (full JID)
// reaches only that resource; the recipient's other resources that enabled carbons
// get a <received/> carbon from the recipient's bare JID (XEP-0280), the others
// nothing. A message to the bare JID reaches every resource and makes no carbon.
func TestReceivedCarbonsToOtherResources(t *testing.T) {
	ts := startServer(t, nil)
	phone := ts.login(t, 6, "phone", true)
	desk := ts.login(t, 6, "desk", true)
	quiet := ts.login(t, 6, "quiet", true) // never enables carbons
	alice := ts.login(t, 5, "", true)
	desk.write(`<iq type='set' id='c1'><enable xmlns='urn:xmpp:carbons:2'/></iq>`)
	if iq := desk.nextIQ(); iq.ID != "c1" || iq.Type != "result" {
		t.Fatalf("carbons enable: %+v", iq)
	}
	id := cube.NewObjectID()
	alice.writeElem(chat(phone.jid, id, "to your phone", saveParam))

	if got := phone.nextMessage(); got.ID != id || got.CarbonReceived != nil {
		t.Fatalf("addressed resource got %+v", got)
	}
	carbon := desk.nextMessage()
	if carbon.CarbonReceived == nil || carbon.CarbonReceived.Forwarded.Message == nil || carbon.From != "6-1@localhost" {
		t.Fatalf("want a <received/> carbon from the bare JID, got %+v", carbon)
	}
	inner := carbon.CarbonReceived.Forwarded.Message
	if inner.ID != id || inner.From != alice.jid || inner.To != phone.jid || inner.BodyText() != "to your phone" || inner.Extra.Get("dialog_id") == "" {
		t.Fatalf("forwarded copy %+v", inner)
	}
	quiet.expectSilence(100 * time.Millisecond)
	alice.expectSilence(100 * time.Millisecond)

	bare := cube.NewObjectID()
	alice.writeElem(chat("6-1@localhost", bare, "to all of you", saveParam))
	for _, r := range []*rawClient{phone, desk, quiet} {
		if got := r.nextMessage(); got.ID != bare || got.CarbonReceived != nil {
			t.Fatalf("%s got %+v", r.jid, got)
		}
	}
	desk.expectSilence(100 * time.Millisecond)
}
