package sync

import (
	"errors"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

func TestFindUsersSearchAndDialogManagement(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	id := pr.exchange(a, b, "the quarterly report is ready")

	found, err := a.e.FindUsers(ctx, "bo")
	if err != nil || len(found) != 1 || found[0].ID != b.acc.ID {
		t.Fatalf("FindUsers(bo) = %+v, %v", found, err)
	}
	hits, err := b.e.SearchServer(ctx, "quarterly")
	if err != nil || len(hits) != 1 || hits[0].ID != id {
		t.Fatalf("SearchServer = %+v, %v", hits, err)
	}
	if _, err := b.e.SearchServer(ctx, "abc"); err == nil {
		t.Fatal("a 3-character server search was accepted")
	}
	b.waitFor("one unread", func() (bool, string) {
		n, err := b.e.UnreadTotal(ctx)
		return n == 1 && err == nil, "unread total"
	})

	group, err := a.e.CreateDialog(ctx, cube.DialogGroup, "team", []int64{b.acc.ID})
	if err != nil {
		t.Fatal(err)
	}
	name := "renamed team"
	if err := a.e.UpdateDialog(ctx, group, DialogChanges{Name: &name, AddAdmins: []int64{b.acc.ID}}); err != nil {
		t.Fatalf("UpdateDialog: %v", err)
	}
	d, err := a.db.Dialog(ctx, group)
	if err != nil || d.Name != name || len(d.AdminIDs) != 1 || d.AdminIDs[0] != b.acc.ID {
		t.Fatalf("updated dialog %+v, %v", d, err)
	}
	if err := a.e.SetNotifications(ctx, group, false); err != nil {
		t.Fatalf("SetNotifications: %v", err)
	}
	if d, _ := a.db.Dialog(ctx, group); !d.Muted || d.NotificationsEnabled {
		t.Fatalf("muted dialog %+v", d)
	}
	if err := a.e.ClearHistory(ctx, pr.dialog); err != nil {
		t.Fatalf("ClearHistory: %v", err)
	}
	if ms := a.messages(pr.dialog); len(ms) != 0 {
		t.Fatalf("history after clearing: %+v", ms)
	}
	if err := a.e.LeaveDialog(ctx, pr.dialog); err != nil {
		t.Fatalf("LeaveDialog: %v", err)
	}
	if d, _ := a.db.Dialog(ctx, pr.dialog); !d.Hidden {
		t.Fatalf("left private dialog not hidden: %+v", d)
	}
	if err := a.e.DeleteDialog(ctx, group); err != nil {
		t.Fatalf("DeleteDialog: %v", err)
	}
	if _, err := a.db.Dialog(ctx, group); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("deleted dialog still cached: %v", err)
	}

	lobby, err := a.e.CreateDialog(ctx, cube.DialogPublic, "lobby", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The server lists the public dialogs one created or joined (docs/protocol.md §3.3).
	public, err := a.e.PublicDialogs(ctx)
	if err != nil || len(public) == 0 || public[0].ID != lobby {
		t.Fatalf("PublicDialogs = %+v, %v", public, err)
	}
	if !public[0].Subscribed {
		t.Error("the creator's own public dialog is listed as not joined")
	}
	if others, err := b.e.PublicDialogs(ctx); err != nil || len(others) == 0 || others[0].Subscribed {
		t.Fatalf("to someone who has not joined, PublicDialogs = %+v, %v", others, err)
	}
	if err := b.e.SubscribePublic(ctx, lobby); err != nil {
		t.Fatalf("SubscribePublic: %v", err)
	}
	if d, err := b.db.Dialog(ctx, lobby); err != nil || !d.Subscribed {
		t.Fatalf("joined dialog %+v, %v", d, err)
	}
	if joined, err := b.e.PublicDialogs(ctx); err != nil || len(joined) == 0 || !joined[0].Subscribed {
		t.Fatalf("after joining, PublicDialogs = %+v, %v", joined, err)
	}
	if err := b.e.UnsubscribePublic(ctx, lobby); err != nil {
		t.Fatalf("UnsubscribePublic: %v", err)
	}
}
