package cache

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestUpsertDialogsKeepsMutedAndOrders(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := func(sec int) time.Time { return base.Add(time.Duration(sec) * time.Second) }
	in := []Dialog{
		{ID: "old", Type: 3, Name: "old chat", OccupantIDs: []int64{1, 2}, UpdatedAt: at(1),
			LastMessage: "hi", LastMessageID: msgID(1), LastMessageAt: at(10)},
		{ID: "quiet", Type: 2, Name: "no messages yet", UpdatedAt: at(20), AdminIDs: []int64{1}},
		{ID: "busy", Type: 2, Name: "group", UpdatedAt: at(2), LastMessageAt: at(30), LastMessageID: msgID(2)},
	}
	if err := db.UpsertDialogs(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMuted(ctx, "old", true); err != nil {
		t.Fatal(err)
	}
	changes, cancel := db.Subscribe()
	defer cancel()

	again := slices.Clone(in) // the server knows nothing of Muted
	again[0].Name = "renamed"
	if err := db.UpsertDialogs(ctx, again); err != nil {
		t.Fatal(err)
	}
	if c := drain(t, changes); !slices.Equal(c.Dialogs, []string{"old"}) {
		t.Fatalf("change %+v, want only the renamed dialog", c)
	}
	d, err := db.Dialog(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Muted || d.Name != "renamed" || !slices.Equal(d.OccupantIDs, []int64{1, 2}) || d.Type != 3 {
		t.Fatalf("dialog = %+v", d)
	}

	all, err := db.Dialogs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, d := range all {
		order = append(order, d.ID)
	}
	// busy: last message at 30; quiet: no message, updated at 20; old: message at 10.
	if !slices.Equal(order, []string{"busy", "quiet", "old"}) {
		t.Fatalf("order %v", order)
	}
	if !slices.Equal(all[1].AdminIDs, []int64{1}) {
		t.Fatalf("admins %v", all[1].AdminIDs)
	}

	if err := db.SetUnread(ctx, "busy", 4); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.Dialog(ctx, "busy"); d.UnreadCount != 4 {
		t.Fatalf("unread %d", d.UnreadCount)
	}
	drain(t, changes)
	if err := db.SetUnread(ctx, "busy", 4); err != nil { // unchanged: no change published
		t.Fatal(err)
	}
	assertQuiet(t, changes)
	if err := db.SetUnread(ctx, "busy", -1); err == nil {
		t.Fatal("negative unread accepted")
	}
	if err := db.SetUnread(ctx, "missing", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetUnread(missing) = %v", err)
	}
	if _, err := db.Dialog(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Dialog(missing) = %v", err)
	}
	if err := db.UpsertDialogs(ctx, []Dialog{{Name: "no id"}}); err == nil {
		t.Fatal("dialog without id accepted")
	}
}

func TestAccountUsersCursors(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if a, err := db.Account(ctx); a != nil || err != nil {
		t.Fatalf("empty Account = %v, %v", a, err)
	}
	changes, cancel := db.Subscribe()
	defer cancel()
	want := Account{UserID: 7, Login: "alice", FullName: "Alice", Profile: `{"id":7}`}
	if err := db.SaveAccount(ctx, want); err != nil {
		t.Fatal(err)
	}
	if c := drain(t, changes); !c.Account {
		t.Fatalf("change %+v", c)
	}
	if a, err := db.Account(ctx); err != nil || *a != want {
		t.Fatalf("Account = %+v, %v", a, err)
	}
	if err := db.SaveAccount(ctx, Account{}); err == nil {
		t.Fatal("account without user id accepted")
	}
	if err := db.DeleteAccount(ctx); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.Account(ctx); a != nil {
		t.Fatalf("account after delete: %+v", a)
	}
	drain(t, changes)

	users := []User{{ID: 1, Login: "a", FullName: "A", UpdatedAt: base}, {ID: 2, Login: "b", Avatar: "http://x/b.png"}}
	if err := db.UpsertUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	if c := drain(t, changes); !c.Users {
		t.Fatalf("change %+v", c)
	}
	if err := db.UpsertUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	assertQuiet(t, changes) // unchanged users publish nothing
	got, err := db.Users(ctx, []int64{1, 3})
	if err != nil || len(got) != 1 || got[1].FullName != "A" || !got[1].UpdatedAt.Equal(base) {
		t.Fatalf("Users = %+v, %v", got, err)
	}
	if all, _ := db.Users(ctx, nil); len(all) != 2 || all[2].Avatar != "http://x/b.png" {
		t.Fatalf("all users = %+v", all)
	}
	many := make([]int64, 1200) // more ids than one IN list holds
	for i := range many {
		many[i] = int64(i)
	}
	if got, err := db.Users(ctx, many); err != nil || len(got) != 2 {
		t.Fatalf("Users(1200 ids) = %d, %v", len(got), err)
	}
	if err := db.UpsertUsers(ctx, []User{{Login: "no id"}}); err == nil {
		t.Fatal("user without id accepted")
	}

	if v, err := db.Cursor(ctx, "dialogs.updated_at"); v != "" || err != nil {
		t.Fatalf("unset cursor = %q, %v", v, err)
	}
	for _, v := range []string{"1", "2"} {
		if err := db.SetCursor(ctx, "dialogs.updated_at", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := db.Cursor(ctx, "dialogs.updated_at"); v != "2" {
		t.Fatalf("cursor = %q", v)
	}
	if err := db.SetCursor(ctx, "", "x"); err == nil {
		t.Fatal("empty cursor key accepted")
	}
	assertQuiet(t, changes) // cursors are the engine's bookkeeping
}
