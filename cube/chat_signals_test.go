package cube

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
)

// connected starts a chat on a fresh fake server and reads Authenticated and Ready.
func connected(t *testing.T, opts ChatOptions) (*fakeXMPP, *Chat) {
	t.Helper()
	srv := newFakeXMPP(t, false)
	c := NewChat(srv.config(), opts)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect() })
	expectStates(t, c, Authenticated, Ready)
	srv.waitReceived("iq") // carbons
	return srv, c
}

// readStanza parses what the fake server received back into a MessageStanza.
func readStanza(t *testing.T, e fakeElem) *MessageStanza {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<message xmlns="jabber:client"`)
	for _, a := range e.Attrs {
		if a.Name.Space == "" && a.Name.Local != "xmlns" {
			writeAttr(&b, a.Name.Local, a.Value)
		}
	}
	b.WriteString(">" + e.Inner + "</message>")
	var st MessageStanza
	if err := xml.Unmarshal([]byte(b.String()), &st); err != nil {
		t.Fatalf("server got unreadable %s: %v", b.String(), err)
	}
	return &st
}

func TestChatSignalSenders(t *testing.T) {
	srv, c := connected(t, fastOpts())
	ctx := context.Background()
	private := Peer{DialogID: "d1", DialogType: DialogPrivate, RecipientID: 8}
	group := Peer{DialogID: "d2", DialogType: DialogGroup}

	if err := c.SendTyping(ctx, group, true); err != nil {
		t.Fatal(err)
	}
	st := readStanza(t, srv.waitReceived("message"))
	if st.To != "1_d2@muc.localhost" || st.Type != GroupChatType || st.Composing == nil || st.ID != "" || st.Extra != nil {
		t.Fatalf("typing: %+v", st)
	}
	if err := c.SendTyping(ctx, private, false); err != nil {
		t.Fatal(err)
	}
	if st := readStanza(t, srv.waitReceived("message")); st.To != "8-1@localhost" || st.Type != ChatType || st.Paused == nil {
		t.Fatalf("paused: %+v", st)
	}

	// Markers go to the sender's bare JID as type chat, even for a group message.
	groupMsg := Message{ID: "m1", ChatDialogID: "d2", SenderID: 9}
	if err := c.SendRead(ctx, groupMsg); err != nil {
		t.Fatal(err)
	}
	st = readStanza(t, srv.waitReceived("message"))
	if st.To != "9-1@localhost" || st.Type != ChatType || st.Displayed == nil || st.Displayed.ID != "m1" || st.Extra.Get("dialog_id") != "d2" || !IsObjectID(st.ID) {
		t.Fatalf("read marker: %+v", st)
	}
	if err := c.SendDelivered(ctx, Message{ID: "m2", SenderID: 8}); err != nil {
		t.Fatal(err)
	}
	if st := readStanza(t, srv.waitReceived("message")); st.Received == nil || st.Received.ID != "m2" || st.Extra != nil {
		t.Fatalf("delivered marker: %+v", st)
	}
	if err := c.SendRead(ctx, Message{ID: "m3", SenderID: 7}); err == nil {
		t.Fatal("a marker for one's own message was sent")
	}

	edit, err := c.EditMessage(ctx, OutgoingEdit{Peer: private, MessageID: "m1", Body: "fixed <b>", Last: true, Extra: map[string]any{"edited": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	st = readStanza(t, srv.waitReceived("message"))
	if st.ID != edit.ID || st.BodyText() != "fixed <b>" || st.Replace == nil || st.Replace.ID != "m1" || st.Replace.Last != "true" ||
		st.Extra.Get("dialog_id") != "d1" || st.Extra.Get("edited") != "1" {
		t.Fatalf("edit: %+v", st)
	}
	if _, err := c.DeleteMessageChat(ctx, group, "m1"); err != nil {
		t.Fatal(err)
	}
	st = readStanza(t, srv.waitReceived("message"))
	if st.Remove == nil || st.Remove.ID != "m1" || st.Type != GroupChatType || st.Extra.Get("dialog_id") != "d2" {
		t.Fatalf("delete: %+v", st)
	}
	if _, err := c.SendSystemMessageChat(ctx, 8, "dialog/NEW_DIALOG", map[string]any{"dialog_id": "d3", "info": map[string]any{"a": 1}}); err != nil {
		t.Fatal(err)
	}
	st = readStanza(t, srv.waitReceived("message"))
	if st.Type != HeadlineType || st.To != "8-1@localhost" || st.Extra.Get("moduleIdentifier") != ModuleSystemNotifications ||
		st.Extra.Get("dialog_id") != "d3" || st.Extra.Map()["info"].(map[string]any)["a"] != "1" {
		t.Fatalf("system message: %+v", st)
	}

	bad := map[string]error{}
	_, bad["edit without text"] = c.EditMessage(ctx, OutgoingEdit{Peer: private, MessageID: "m1"})
	_, bad["edit with reserved extra"] = c.EditMessage(ctx, OutgoingEdit{Peer: private, MessageID: "m1", Body: "x", Extra: map[string]any{"dialog_id": "x"}})
	_, bad["delete without id"] = c.DeleteMessageChat(ctx, group, "")
	_, bad["system without recipient"] = c.SendSystemMessageChat(ctx, 0, "x", nil)
	_, bad["system with reserved param"] = c.SendSystemMessageChat(ctx, 8, "x", map[string]any{"moduleIdentifier": "x"})
	bad["typing to nobody"] = c.SendTyping(ctx, Peer{DialogType: DialogPrivate}, true)
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestChatAutoDeliver(t *testing.T) {
	for _, off := range []bool{false, true} {
		t.Run(map[bool]string{false: "on by default", true: "switched off"}[off], func(t *testing.T) {
			opts := fastOpts()
			opts.NoAutoDeliver = off
			srv, c := connected(t, opts)
			srv.push(`<message xmlns='jabber:client' from='8-1@localhost/r' type='chat' id='m1'><body>hi</body><extraParams xmlns='jabber:client'><dialog_id>d1</dialog_id></extraParams></message>`)
			if ev, ok := nextEvent(t, c).(MessageEvent); !ok || ev.Message.ID != "m1" {
				t.Fatalf("event %#v", ev)
			}
			// A ping is answered after anything sent before it, so it orders the check.
			if err := c.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			var marker *MessageStanza
			deadline := time.After(5 * time.Second)
			for marker == nil {
				select {
				case <-deadline:
					t.Fatal("no delivered marker")
				case e := <-srv.received:
					if e.XMLName.Local == "message" {
						marker = readStanza(t, e)
					} else if strings.Contains(e.Inner, NSPing) {
						if !off {
							continue // the marker is sent from its own goroutine; keep waiting
						}
						return
					}
				}
			}
			if off {
				t.Fatalf("marker sent with AutoDeliver off: %+v", marker)
			}
			if marker.To != "8-1@localhost" || marker.Received == nil || marker.Received.ID != "m1" || marker.Extra.Get("dialog_id") != "d1" {
				t.Fatalf("auto marker: %+v", marker)
			}
		})
	}
}

func TestChatIncomingSignalsReachEvents(t *testing.T) {
	srv, c := connected(t, fastOpts())
	srv.push(`<message xmlns='jabber:client' from='8-1@localhost/r' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>` +
		`<message xmlns='jabber:client' from='8-1@localhost/r' type='error' id='m9'><error type='cancel' code='503'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>` +
		`<iq xmlns='jabber:client' type='result' from='8-1@localhost' to='7-1@localhost/r' id='push1'><query xmlns='jabber:iq:last' seconds='42'/></iq>` +
		`<iq xmlns='jabber:client' type='set' from='9-1@localhost' id='push2'><query xmlns='jabber:iq:last' seconds='0'/></iq>`)
	want := []Event{TypingEvent{UserID: 8, Typing: true}, MessageErrorEvent{ID: "m9", Code: 503, Condition: "service-unavailable"},
		LastActivityEvent{UserID: 8, Seconds: 42}, LastActivityEvent{UserID: 9, Seconds: 0}}
	for _, w := range want {
		if got := nextEvent(t, c); got != Event(w) {
			t.Fatalf("event %#v, want %#v", got, w)
		}
	}
	// A pushed set is acknowledged, not refused.
	for {
		iq := srv.waitReceived("iq")
		if iq.attr("id") == "push2" {
			if iq.attr("type") != "result" {
				t.Fatalf("push answered with %s", iq.attr("type"))
			}
			break
		}
	}
}

func TestChatLastActivity(t *testing.T) {
	srv, c := connected(t, fastOpts())
	srv.setAnswer(func(iq fakeElem) string {
		switch {
		case strings.Contains(iq.Inner, NSLast) && iq.attr("to") == "8-1@localhost":
			return `<iq type='result' from='8-1@localhost' id='` + iq.attr("id") + `'><query xmlns='jabber:iq:last' seconds='300'/></iq>`
		case strings.Contains(iq.Inner, NSLast):
			return `<iq type='error' id='` + iq.attr("id") + `'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`
		}
		return ""
	})
	ctx := context.Background()
	if secs, err := c.LastActivity(ctx, 8); err != nil || secs != 300 {
		t.Fatalf("last activity: %d %v", secs, err)
	}
	var iqErr *IQError
	if _, err := c.LastActivity(ctx, 99); !errors.As(err, &iqErr) || iqErr.Condition != "item-not-found" {
		t.Fatalf("unknown user: %v", err)
	}
	if err := c.SubscribeLastActivity(ctx, 8, true); err != nil {
		t.Fatal(err)
	}
	for {
		iq := srv.waitReceived("iq")
		if strings.Contains(iq.Inner, NSStatusStreaming) {
			if !strings.Contains(iq.Inner, `user_jid="8-1@localhost"`) || !strings.Contains(iq.Inner, `enable="true"`) || iq.attr("type") != "set" {
				t.Fatalf("subscription iq: %+v", iq)
			}
			break
		}
	}
}

// SendDeliveredAll sends a delivered marker for each message, in order; a message
// no marker can be built for (one's own) fails the call before anything is sent.
func TestSendDeliveredAllWritesEveryMarkerInOrder(t *testing.T) {
	srv, c := connected(t, fastOpts())
	ctx := context.Background()
	if err := c.SendDeliveredAll(ctx, []Message{{ID: "m1", SenderID: 8, ChatDialogID: "d1"}, {ID: "m7", SenderID: 7}}); err == nil {
		t.Fatal("a run with one's own message was acknowledged")
	}
	msgs := []Message{{ID: "m1", SenderID: 8, ChatDialogID: "d1"}, {ID: "m2", SenderID: 9, ChatDialogID: "d2"}, {ID: "m3", SenderID: 8}}
	if err := c.SendDeliveredAll(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		st := readStanza(t, srv.waitReceived("message"))
		if st.Received == nil || st.Received.ID != m.ID || st.To != UserJID(m.SenderID, 1, "localhost") ||
			st.Extra.Get("dialog_id") != m.ChatDialogID || !IsObjectID(st.ID) {
			t.Fatalf("marker for %s: %+v", m.ID, st)
		}
	}
	if err := c.SendDeliveredAll(ctx, nil); err != nil {
		t.Fatalf("an empty run: %v", err)
	}
}
