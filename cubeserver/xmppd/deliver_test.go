package xmppd

import (
	"context"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

func TestDeliverToDialogPrivate(t *testing.T) {
	ts := startServer(t, nil)
	d := &cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogPrivate, UserID: 5, OccupantsIDs: []int64{5, 6}}
	alice := ts.login(t, 5, "", true)
	alice.write(`<iq type='set' id='c1'><enable xmlns='urn:xmpp:carbons:2'/></iq>`)
	alice.nextIQ()
	bob := ts.login(t, 6, "", true)
	ctx := context.Background()

	m := &cube.MessageStanza{ID: cube.NewObjectID(), Body: cube.Str("from REST"),
		Extra: &cube.ExtraParams{Params: []cube.Param{saveParam}}}
	ts.srv.DeliverToDialog(ctx, d, 5, m)
	got := bob.nextMessage()
	if got.Type != cube.ChatType || got.From != "5-1@localhost" || got.ID != m.ID || got.Extra.Get("dialog_id") != d.ID {
		t.Fatalf("bob got %+v", got)
	}
	if c := alice.nextMessage(); c.Sent == nil || c.Sent.Forwarded.Message.ID != m.ID {
		t.Fatalf("sender's carbon %+v", c)
	}
	if m.Extra.Has("dialog_id") || m.Type != "" {
		t.Fatal("DeliverToDialog changed the caller's stanza")
	}

	// A forced delete reaches the peer too; while offline, content is queued, signals are not.
	bob.write(`</stream:stream>`)
	waitOffline(t, ts, 6)
	ts.srv.DeliverToDialog(ctx, d, 5, &cube.MessageStanza{ID: "rm1", Remove: &cube.RemoveElem{ID: m.ID}})
	ts.srv.DeliverToDialog(ctx, d, 5, &cube.MessageStanza{ID: cube.NewObjectID(), Body: cube.Str("later")})
	if n := ts.backend.queued(6); n != 1 {
		t.Fatalf("queued %d, want only the content message", n)
	}

	// Privacy: bob blocks alice both ways; her server-made messages are dropped.
	bob = ts.login(t, 6, "", true)
	bob.nextMessage() // the queued one
	bob.privacyIQ("set", `<list name='l'><item type='jid' value='5-1@localhost' action='deny' order='1'/></list>`)
	bob.privacyIQ("set", `<default name='l'/>`)
	ts.srv.DeliverToDialog(ctx, d, 5, &cube.MessageStanza{ID: cube.NewObjectID(), Body: cube.Str("blocked")})
	bob.expectSilence(100 * time.Millisecond)
}

func TestDeliverToDialogGroup(t *testing.T) {
	ts := startServer(t, nil)
	d := &cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, UserID: 5, OccupantsIDs: []int64{5, 6, 7}}
	room := ts.srv.roomJID(d.ID)
	clients := []*rawClient{ts.login(t, 5, "", true), ts.login(t, 6, "", true), ts.login(t, 7, "", true)}
	outsider := ts.login(t, 8, "", true)
	r := &cube.MessageStanza{ID: "re1", Reactions: &cube.ReactionsElem{UserID: "6", MessageID: "m1",
		Items: []cube.ReactionElem{{Type: "like", Add: "true"}}}}
	ts.srv.DeliverToDialog(context.Background(), d, 6, r)
	for _, c := range clients {
		got := c.nextMessage()
		if got.Type != cube.GroupChatType || got.From != room+"/6" || got.Reactions == nil || got.Extra.Get("dialog_id") != d.ID {
			t.Fatalf("%s got %+v", c.jid, got)
		}
	}
	outsider.expectSilence(100 * time.Millisecond)
}
