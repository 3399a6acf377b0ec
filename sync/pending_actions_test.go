package sync

import (
	"context"
	"fmt"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
)

// serverMessage is the message as the server lists it to c (nil: not listed, which is
// what a message deleted for everyone is to a plain listing).
func serverMessage(t *testing.T, h *harness, c *cube.Client, dialogID, id string) *cube.Message {
	t.Helper()
	list, err := c.ListMessages(h.ctx, cube.MessageFilter{DialogID: dialogID, IDIn: []string{id}, Limit: 10})
	if err != nil {
		t.Fatalf("listing message %s: %v", id, err)
	}
	for _, m := range list.Items {
		if m.ID == id {
			return &m
		}
	}
	return nil
}

// poll re-checks cond until it holds or waitLimit passes (for server state, which
// has no change feed).
func poll(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	testwait.Until(t, what, waitLimit, cond)
}

// TestActionsOnAnUnconfirmedMessageReachTheServer: the server stores a message but
// the connection is cut before the client hears the confirmation; while it is still
// pending the user deletes (or edits) it. The action must reach the server after the
// message, and every copy must end the same: the server's, the sender's cache and
// the receiver's.
func TestActionsOnAnUnconfirmedMessageReachTheServer(t *testing.T) {
	for _, kind := range []string{"delete", "edit"} {
		t.Run(kind, func(t *testing.T) {
			h := newHarness(t)
			ann, bob := h.user("ann"), h.user("bob")
			a := h.newProxiedPeer(ann)
			b := h.newPeer(bob)
			a.waitSynced()
			b.waitSynced()
			ctx := h.ctx
			dialog, err := a.e.CreateDialog(ctx, cube.DialogPrivate, "", []int64{bob.ID})
			if err != nil {
				t.Fatal(err)
			}
			pr := &pair{h: h, a: a.peer, b: b, dialog: dialog}
			pr.exchange(a.peer, b, "hello")

			body := "stored but never confirmed " + kind
			a.chat.cutAfter(body, true)
			id, err := a.e.Send(ctx, dialog, body)
			if err != nil {
				t.Fatal(err)
			}
			bobREST := h.client(bob)
			poll(t, "the server storing the message", func() (bool, string) {
				m := serverMessage(t, h, bobREST, dialog, id)
				return m != nil && a.chat.cutCount() == 1, fmt.Sprintf("server copy %v, cuts %d", m, a.chat.cutCount())
			})
			if m, err := a.db.Message(ctx, id); err != nil || m.State != cache.StatePending {
				t.Fatalf("the sender's copy after the cut: %+v, %v; want it still pending", m, err)
			}

			const edited = "edited while unconfirmed"
			switch kind {
			case "delete":
				err = a.e.Delete(ctx, id, true)
			case "edit":
				err = a.e.Edit(ctx, id, edited)
			}
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			a.chat.unblock()
			a.e.ReconnectNow()
			a.waitFor("the outbox and the action queue drained", func() (bool, string) {
				q, err1 := a.db.Outbox(ctx)
				acts, err2 := a.db.Actions(ctx)
				return err1 == nil && err2 == nil && len(q) == 0 && len(acts) == 0,
					fmt.Sprintf("%d queued, %d actions, %v %v", len(q), len(acts), err1, err2)
			})

			want := func(m cache.Message) bool {
				if kind == "delete" {
					return m.Deleted
				}
				return m.Body == edited && !m.EditPending
			}
			b.waitMessage(id, "the receiver's copy "+kind+" applied", want)
			mine := a.waitMessage(id, "the sender's copy "+kind+" applied and confirmed", func(m cache.Message) bool {
				return want(m) && m.State.Confirmed()
			})
			if kind == "edit" && !mine.Edited() {
				t.Errorf("the sender's copy is not marked edited: %+v", mine)
			}
			srv := serverMessage(t, h, bobREST, dialog, id)
			switch {
			case kind == "delete" && srv != nil:
				t.Fatalf("the server still lists the deleted message: %+v", *srv)
			case kind == "edit" && (srv == nil || srv.Message != edited):
				t.Fatalf("the server's copy: %+v, want the text %q", srv, edited)
			}
			// A restart and its catch-up bring nothing back.
			b.restart()
			b.waitSynced()
			if m, err := b.db.Message(context.Background(), id); err == nil && !want(*m) {
				t.Fatalf("after the receiver's restart: %+v", *m)
			}
		})
	}
}
