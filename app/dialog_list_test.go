package app

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/cubechat/cubechat/cache"
)

// seedDialogs stores the account (user 1, "me"), users 2..n+1 and n private
// dialogs, dialog i last active i minutes ago.
func seedDialogs(t *testing.T, db *cache.DB, n int) {
	t.Helper()
	ctx := context.Background()
	if err := db.SaveAccount(ctx, cache.Account{UserID: 1, Login: "me", FullName: "Me"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	var users []cache.User
	var dialogs []cache.Dialog
	for i := range n {
		peer := int64(2 + i)
		users = append(users, cache.User{ID: peer, Login: fmt.Sprint("peer", i), FullName: fmt.Sprint("Peer ", i)})
		at := now.Add(-time.Duration(i) * time.Minute)
		dialogs = append(dialogs, cache.Dialog{ID: fmt.Sprintf("d%03d", i), Type: dialogPrivate, OccupantIDs: []int64{1, peer},
			LastMessage: fmt.Sprint("hello ", i), LastMessageID: fmt.Sprintf("%024x", 1000+i), LastMessageAt: at,
			LastMessageUserID: peer, UpdatedAt: at})
	}
	if err := db.UpsertUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertDialogs(ctx, dialogs); err != nil {
		t.Fatal(err)
	}
}

func shownIDs(m *mainScreen) []string {
	var ids []string
	onUI(func() {
		for _, d := range m.shown {
			ids = append(ids, d.ID)
		}
	})
	return ids
}

// TestDialogListPatchedOnChange: after the first load, a message in one dialog, a
// hidden dialog, a new dialog (with a user the list did not know) and a removed one
// each re-read only the dialogs they name; the list ends exactly as a whole reload
// would show it, and the whole list was read once.
func TestDialogListPatchedOnChange(t *testing.T) {
	ctx := context.Background()
	db := openCache(t)
	const n = 3 * listHead / 2 // more than the head, so the first paint is partial
	seedDialogs(t, db, n)
	u := startOffline(t, test.NewTempApp(t), db, closedAddr(t))
	t.Cleanup(u.Close)
	var m *mainScreen
	waitFor(t, "the whole list", 10*time.Second, func() bool {
		onUI(func() { m = u.main })
		return m != nil && len(shownIDs(m)) == n
	})

	// A new message in the oldest dialog moves it to the top.
	oldest := fmt.Sprintf("d%03d", n-1)
	msg := cache.Message{ID: fmt.Sprintf("%024x", 5000), DialogID: oldest, SenderID: 2, RecipientID: 1,
		Body: "back again", SentAt: time.Now().Add(time.Minute).Truncate(time.Second), State: cache.StateRead}
	if _, err := db.UpsertMessages(ctx, []cache.Message{msg}); err != nil {
		t.Fatal(err)
	}
	d, err := db.Dialog(ctx, oldest)
	if err != nil {
		t.Fatal(err)
	}
	d.LastMessage, d.LastMessageID, d.LastMessageAt, d.UpdatedAt = msg.Body, msg.ID, msg.SentAt, msg.SentAt
	if err := db.UpsertDialogs(ctx, []cache.Dialog{*d}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the oldest dialog on top", 10*time.Second, func() bool {
		ids := shownIDs(m)
		return len(ids) == n && ids[0] == oldest
	})

	// Hidden, removed and new dialogs.
	if err := db.SetHidden(ctx, "d001", true); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveDialog(ctx, "d002"); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertUsers(ctx, []cache.User{{ID: 999, Login: "newcomer", FullName: "Newcomer"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the users change", 10*time.Second, func() bool { return m.model.fullReads.Load() == 2 })
	at := time.Now().Add(-90 * time.Second).Truncate(time.Second) // between d001 and d002
	fresh := cache.Dialog{ID: "new", Type: dialogPrivate, OccupantIDs: []int64{1, 999}, LastMessage: "hi",
		LastMessageID: fmt.Sprintf("%024x", 6000), LastMessageAt: at, LastMessageUserID: 999, UpdatedAt: at}
	if err := db.UpsertDialogs(ctx, []cache.Dialog{fresh}); err != nil {
		t.Fatal(err)
	}
	want, err := db.VisibleDialogs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := make([]string, len(want))
	for i, d := range want {
		wantIDs[i] = d.ID
	}
	waitFor(t, "the list as a whole reload shows it", 10*time.Second, func() bool {
		return slices.Equal(shownIDs(m), wantIDs)
	})
	onUI(func() {
		for _, d := range m.shown {
			if d.ID == "new" && dialogTitle(d, m.me, m.users) != "Newcomer" {
				t.Errorf("the new dialog's peer was not loaded: title %q", dialogTitle(d, m.me, m.users))
			}
		}
	})
	if reads := m.model.fullReads.Load(); reads != 2 {
		t.Errorf("the whole list was read %d times, want 2 (the first load and the users change)", reads)
	}
}
