package sync

import (
	"fmt"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// serverUnread is the dialog's unread count for the client's user, as the server says.
func serverUnread(t *testing.T, h *harness, c *cube.Client, dialogID string) int {
	t.Helper()
	list, err := c.ListDialogs(h.ctx, cube.DialogFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list.Items {
		if d.ID == dialogID {
			return deref(d.UnreadMessagesCount)
		}
	}
	t.Fatalf("dialog %s not listed", dialogID)
	return 0
}

func TestBackgroundSyncKeepsUnreadCounts(t *testing.T) {
	const n = 7
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeer(ann)
	a.waitSynced()
	dialog, err := a.e.CreateDialog(h.ctx, cube.DialogGroup, "news", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := a.e.Send(h.ctx, dialog, fmt.Sprintf("m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	a.waitOutboxEmpty()
	bobREST := h.client(bob)
	if got := serverUnread(t, h, bobREST, dialog); got != n {
		t.Fatalf("before bob's sync the server counts %d unread, want %d", got, n)
	}

	// Bob's first login catches up in the background.
	b := h.newPeer(bob)
	b.waitMessages(dialog, n, nil)
	b.waitSynced()
	if got := serverUnread(t, h, bobREST, dialog); got != n {
		t.Fatalf("background sync changed the server's unread count to %d, want %d", got, n)
	}
	d, err := b.db.Dialog(h.ctx, dialog)
	if err != nil || d.UnreadCount != n {
		t.Fatalf("bob's cached dialog: %+v, %v; want %d unread", d, err, n)
	}
	// Scrolling back does not mark anything read either.
	if _, err := b.e.LoadOlder(h.ctx, dialog, b.messages(dialog)[0].SentAt); err != nil {
		t.Fatal(err)
	}
	if got := serverUnread(t, h, bobREST, dialog); got != n {
		t.Fatalf("LoadOlder changed the server's unread count to %d", got)
	}

	// Opening the dialog reads it, locally and on the server.
	if err := b.e.MarkRead(h.ctx, dialog); err != nil {
		t.Fatal(err)
	}
	if got := serverUnread(t, h, bobREST, dialog); got != 0 {
		t.Fatalf("after MarkRead the server counts %d unread", got)
	}
	if d, _ := b.db.Dialog(h.ctx, dialog); d.UnreadCount != 0 {
		t.Fatalf("after MarkRead the cache counts %d unread", d.UnreadCount)
	}
}
