package xmppd

import (
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

func storedBody(ts *testServer, id string) (string, bool) {
	for _, m := range ts.backend.stored() {
		if m.ID == id {
			return m.Message, true
		}
	}
	return "", false
}

func TestEditAndRemoveOneToOne(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	aliceDesk := ts.login(t, 5, "desk", true)
	aliceDesk.write(`<iq type='set' id='c1'><enable xmlns='urn:xmpp:carbons:2'/></iq>`)
	aliceDesk.nextIQ()
	bob := ts.login(t, 6, "", true)
	id := cube.NewObjectID()
	alice.writeElem(chat("6-1@localhost", id, "helo", saveParam))
	dialogID := bob.nextMessage().Extra.Get("dialog_id")
	aliceDesk.nextMessage() // carbon

	// Someone else's edit is refused and changes nothing.
	bob.write(`<message type='chat' to='5-1@localhost' id='e0'><body>hacked</body><replace xmlns='urn:xmpp:message-correct:0' id='` + id + `' last='true'/></message>`)
	if got := bob.nextMessage(); got.Type != cube.ErrorType || got.Error == nil || got.Error.Code != "403" {
		t.Fatalf("foreign edit: %+v", got)
	}
	alice.expectSilence(50 * time.Millisecond)

	// The sender's edit is stored and relayed with the dialog id, with a carbon.
	alice.write(`<message type='chat' to='6-1@localhost' id='e1'><body>hello</body><replace xmlns='urn:xmpp:message-correct:0' id='` + id + `' last='true'/></message>`)
	got := bob.nextMessage()
	if got.Replace == nil || got.Replace.ID != id || got.BodyText() != "hello" || got.Extra.Get("dialog_id") != dialogID || got.From != alice.jid {
		t.Fatalf("edit relayed as %+v", got)
	}
	if c := aliceDesk.nextMessage(); c.Sent == nil || c.Sent.Forwarded.Message.Replace == nil {
		t.Fatalf("edit carbon %+v", c)
	}
	if body, _ := storedBody(ts, id); body != "hello" {
		t.Fatalf("stored body %q", body)
	}

	// Bob may not delete alice's message; alice may.
	bob.write(`<message type='chat' to='5-1@localhost' id='r0'><remove xmlns='urn:xmpp:message-delete:0' id='` + id + `'/></message>`)
	if got := bob.nextMessage(); got.Type != cube.ErrorType || got.Error.Code != "403" {
		t.Fatalf("foreign delete: %+v", got)
	}
	alice.write(`<message type='chat' to='6-1@localhost' id='r1'><remove xmlns='urn:xmpp:message-delete:0' id='` + id + `'/></message>`)
	if got := bob.nextMessage(); got.Remove == nil || got.Remove.ID != id || got.Extra.Get("dialog_id") != dialogID {
		t.Fatalf("delete relayed as %+v", got)
	}
	if _, ok := storedBody(ts, id); ok {
		t.Fatal("deleted message is still stored")
	}

	// Edits of messages that were never stored are relayed as they are.
	alice.write(`<message type='chat' to='6-1@localhost' id='e2'><body>x</body><replace xmlns='urn:xmpp:message-correct:0' id='ephemeral1'/></message>`)
	if got := bob.nextMessage(); got.Replace == nil || got.Replace.ID != "ephemeral1" {
		t.Fatalf("ephemeral edit: %+v", got)
	}
}

func TestMarkersUpdateTheStore(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	bob := ts.login(t, 6, "", true)
	carol := ts.login(t, 7, "", true)
	id := cube.NewObjectID()
	alice.writeElem(chat("6-1@localhost", id, "read me", saveParam))
	dialogID := bob.nextMessage().Extra.Get("dialog_id")
	marker := func(c *rawClient, kind string) {
		c.write(`<message type='chat' to='5-1@localhost' id='` + cube.NewObjectID() + `'><` + kind + ` xmlns='urn:xmpp:chat-markers:0' id='` + id + `'/><extraParams xmlns='jabber:client'><dialog_id>` + dialogID + `</dialog_id></extraParams></message>`)
	}
	marker(bob, "received")
	if got := alice.nextMessage(); got.Received == nil || got.Received.ID != id {
		t.Fatalf("received marker relayed as %+v", got)
	}
	if read, delivered := ts.backend.readersOf(id); len(read) != 0 || !slices.Equal(delivered, []int64{6}) {
		t.Fatalf("after received: read %v delivered %v", read, delivered)
	}
	marker(bob, "displayed")
	alice.nextMessage()
	if read, _ := ts.backend.readersOf(id); !slices.Equal(read, []int64{6}) {
		t.Fatalf("after displayed: read %v", read)
	}
	// A marker from someone outside the dialog is neither recorded nor relayed: the
	// sender's client would otherwise show the message as read by them.
	marker(carol, "displayed")
	alice.expectSilence(100 * time.Millisecond)
	if read, _ := ts.backend.readersOf(id); !slices.Equal(read, []int64{6}) {
		t.Fatalf("outsider's marker recorded: read %v", read)
	}
	// A marker of a message the server never stored is relayed as it is.
	carol.write(`<message type='chat' to='5-1@localhost' id='m9'><received xmlns='urn:xmpp:chat-markers:0' id='ephemeral'/></message>`)
	if got := alice.nextMessage(); got.Received == nil || got.Received.ID != "ephemeral" || got.From != carol.jid {
		t.Fatalf("marker of an unstored message: %+v", got)
	}
}

// TestForgedReactionsAndGroupMarkers: identity comes from the stream, never from a
// claimed user_id; outsiders' reactions bounce and their markers of a group message
// (sent 1-1 to its author, as the SDKs do) are dropped.
func TestForgedReactionsAndGroupMarkers(t *testing.T) {
	ts := startServer(t, nil)
	alice, bob, carol := ts.login(t, 5, "", true), ts.login(t, 6, "", true), ts.login(t, 7, "", true)
	id := cube.NewObjectID()
	alice.writeElem(chat("6-1@localhost", id, "react to me", saveParam))
	bob.nextMessage()
	reaction := func(c *rawClient, to, typ, claimed, msgID string) {
		c.write(`<message type='` + typ + `' to='` + to + `' id='` + cube.NewObjectID() + `'><reactions user_id='` + claimed +
			`' message_id='` + msgID + `'><reaction add='true' type='👍'/></reactions></message>`)
	}
	// A member's reaction claiming to be someone else arrives as the member's.
	reaction(bob, "5-1@localhost", "chat", "7", id)
	if got := alice.nextMessage(); got.Reactions == nil || got.Reactions.UserID != "6" || got.Reactions.MessageID != id {
		t.Fatalf("member's reaction relayed as %+v", got.Reactions)
	}
	// An outsider's reaction, claiming to be bob, bounces and reaches nobody.
	reaction(carol, "5-1@localhost", "chat", "6", id)
	if got := carol.nextMessage(); got.Type != cube.ErrorType || got.Error == nil {
		t.Fatalf("outsider's reaction: %+v", got)
	}
	reaction(carol, "5-1@localhost", "chat", "6", "no-such-message")
	if got := carol.nextMessage(); got.Type != cube.ErrorType {
		t.Fatalf("reaction to an unknown message: %+v", got)
	}
	alice.expectSilence(100 * time.Millisecond)

	// A group: dave (8) is not in it.
	dave := ts.login(t, 8, "", true)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, UserID: 5, OccupantsIDs: []int64{5, 6, 7}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	gid := cube.NewObjectID()
	alice.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: gid, Body: cube.Str("team"),
		Extra: &cube.ExtraParams{Params: []cube.Param{saveParam}}})
	for _, c := range []*rawClient{alice, bob, carol} {
		c.nextMessage()
	}
	dave.write(`<message type='chat' to='5-1@localhost' id='x1'><displayed xmlns='urn:xmpp:chat-markers:0' id='` + gid + `'/><extraParams xmlns='jabber:client'><dialog_id>` + d.ID + `</dialog_id></extraParams></message>`)
	alice.expectSilence(100 * time.Millisecond)
	if read, _ := ts.backend.readersOf(gid); len(read) != 0 {
		t.Fatalf("outsider's group marker recorded: %v", read)
	}
	// In the room, a member's forged user_id is replaced by the member's own.
	reaction(carol, room, "groupchat", "5", gid)
	for _, c := range []*rawClient{alice, bob, carol} {
		if got := c.nextMessage(); got.Reactions == nil || got.Reactions.UserID != "7" {
			t.Fatalf("%s got group reaction %+v", c.jid, got)
		}
	}
	// A reaction through the room to a message of another dialog bounces.
	reaction(carol, room, "groupchat", "7", id)
	if got := carol.nextMessage(); got.Type != cube.ErrorType {
		t.Fatalf("cross-dialog reaction: %+v", got)
	}
	// An outsider writing to the room is refused as before.
	reaction(dave, room, "groupchat", "5", gid)
	if got := dave.nextMessage(); got.Type != cube.ErrorType || got.Error.Code != "403" {
		t.Fatalf("outsider's room reaction: %+v", got)
	}
	alice.expectSilence(100 * time.Millisecond)
}

func TestEditAndRemoveInGroups(t *testing.T) {
	ts := startServer(t, nil)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, UserID: 7, AdminsIDs: []int64{8}, OccupantsIDs: []int64{5, 6, 7, 8}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	clients := map[int64]*rawClient{}
	for _, uid := range []int64{5, 6, 7, 8} {
		clients[uid] = ts.login(t, uid, "", true)
	}
	post := func() string {
		id := cube.NewObjectID()
		clients[5].writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id, Body: cube.Str("v1"),
			Extra: &cube.ExtraParams{Params: []cube.Param{saveParam}}})
		for _, c := range clients {
			c.nextMessage()
		}
		return id
	}
	id := post()
	clients[5].write(`<message type='groupchat' to='` + room + `' id='e1'><body>v2</body><replace xmlns='urn:xmpp:message-correct:0' id='` + id + `' last='true'/></message>`)
	for uid, c := range clients {
		if got := c.nextMessage(); got.Replace == nil || got.From != room+"/5" || got.BodyText() != "v2" || got.Extra.Get("dialog_id") != d.ID {
			t.Fatalf("user %d got edit %+v", uid, got)
		}
	}
	if body, _ := storedBody(ts, id); body != "v2" {
		t.Fatalf("stored %q", body)
	}
	cases := []struct {
		name  string
		uid   int64
		allow bool
	}{
		{"member deletes another's message", 6, false},
		{"owner deletes it", 7, true},
		{"admin deletes another one", 8, true},
		{"sender deletes their own", 5, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := post()
			clients[tc.uid].write(`<message type='groupchat' to='` + room + `' id='r1'><remove xmlns='urn:xmpp:message-delete:0' id='` + id + `'/></message>`)
			got := clients[tc.uid].nextMessage()
			_, still := storedBody(ts, id)
			if !tc.allow {
				if got.Type != cube.ErrorType || got.Error.Code != "403" || !still {
					t.Fatalf("refusal %+v, still stored %v", got, still)
				}
				return
			}
			if got.Remove == nil || got.Remove.ID != id || still {
				t.Fatalf("got %+v, still stored %v", got, still)
			}
			for uid, c := range clients {
				if uid != tc.uid {
					c.nextMessage()
				}
			}
		})
	}
}

func TestBroadcastDialogOnlyAdminsWrite(t *testing.T) {
	ts := startServer(t, nil)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogBroadcast, UserID: 5, AdminsIDs: []int64{6}, OccupantsIDs: []int64{5, 6, 7}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	owner, admin, member := ts.login(t, 5, "", true), ts.login(t, 6, "", true), ts.login(t, 7, "", true)
	for _, sender := range []*rawClient{owner, admin} {
		id := cube.NewObjectID()
		sender.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id, Body: cube.Str("news")})
		for _, c := range []*rawClient{owner, admin, member} {
			if got := c.nextMessage(); got.ID != id {
				t.Fatalf("%s got %+v", c.jid, got)
			}
		}
	}
	member.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: "m1", Body: cube.Str("me too")})
	if got := member.nextMessage(); got.Type != cube.ErrorType || got.Error.Code != "403" {
		t.Fatalf("member wrote to a broadcast: %+v", got)
	}
	owner.expectSilence(50 * time.Millisecond)
}
