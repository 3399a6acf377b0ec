package cache

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestDialogChatAPIFieldsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	in := Dialog{ID: "pub", Type: 4, Name: "Open", Description: "for all", Photo: "ph-uid",
		OccupantsCount: 120, AdminIDs: []int64{1, 2}, PinnedMessageIDs: []string{msgID(1)},
		Extensions: map[string]string{"location": "Sun bar"}, AllowPreview: true, Subscribed: true, UpdatedAt: base}
	if err := db.UpsertDialogs(ctx, []Dialog{in}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Dialog(ctx, "pub")
	if err != nil {
		t.Fatal(err)
	}
	if got.Description != "for all" || got.OccupantsCount != 120 || !slices.Equal(got.PinnedMessageIDs, in.PinnedMessageIDs) ||
		!maps.Equal(got.Extensions, in.Extensions) || !got.AllowPreview || !got.Subscribed ||
		!got.NotificationsEnabled || got.Hidden || got.Photo != "ph-uid" {
		t.Fatalf("dialog = %+v", got)
	}
	// The same copy again is no change; empty lists equal absent ones.
	changes, cancel := db.Subscribe()
	defer cancel()
	same := in
	same.OccupantIDs = []int64{}
	if err := db.UpsertDialogs(ctx, []Dialog{same}); err != nil {
		t.Fatal(err)
	}
	assertQuiet(t, changes)
}

func TestUpsertDialogsKeepsLocalFields(t *testing.T) {
	ctx := context.Background()
	stored := Dialog{ID: "d", Type: 4, Name: "n", UpdatedAt: base}
	tests := []struct {
		name  string
		setup func(db *DB) error
		in    Dialog // the server copy
		check func(Dialog) bool
	}{
		{"muted kept", func(db *DB) error { return db.SetMuted(ctx, "d", true) },
			stored, func(d Dialog) bool { return d.Muted }},
		{"notifications setting kept", func(db *DB) error { return db.SetNotificationsEnabled(ctx, "d", false) },
			Dialog{ID: "d", Type: 4, NotificationsEnabled: true}, func(d Dialog) bool { return !d.NotificationsEnabled }},
		{"hidden kept", func(db *DB) error { return db.SetHidden(ctx, "d", true) },
			stored, func(d Dialog) bool { return d.Hidden }},
		{"subscription kept when the copy does not say", func(db *DB) error { return db.SetSubscribed(ctx, "d", true) },
			stored, func(d Dialog) bool { return d.Subscribed }},
		{"subscription set by a copy", func(db *DB) error { return nil },
			Dialog{ID: "d", Type: 4, Subscribed: true}, func(d Dialog) bool { return d.Subscribed }},
		{"server fields replaced", func(db *DB) error { return nil },
			Dialog{ID: "d", Type: 4, Description: "new", OccupantsCount: 3},
			func(d Dialog) bool { return d.Description == "new" && d.OccupantsCount == 3 && d.Name == "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			if err := db.UpsertDialogs(ctx, []Dialog{stored}); err != nil {
				t.Fatal(err)
			}
			if err := tc.setup(db); err != nil {
				t.Fatal(err)
			}
			if err := db.UpsertDialogs(ctx, []Dialog{tc.in}); err != nil {
				t.Fatal(err)
			}
			d, err := db.Dialog(ctx, "d")
			if err != nil || !tc.check(*d) {
				t.Fatalf("dialog = %+v, %v", d, err)
			}
		})
	}
	db := openTest(t)
	for _, err := range []error{
		db.SetSubscribed(ctx, "nope", true), db.SetNotificationsEnabled(ctx, "nope", true), db.SetHidden(ctx, "nope", true),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("setter on unknown dialog: %v", err)
		}
	}
}

func TestHiddenDialogReturnsOnNewerMessage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3}, {ID: "d2", Type: 3}}); err != nil {
		t.Fatal(err)
	}
	upsert(t, db, newMsg("d1", 2, 20, "last before hiding"))
	if err := db.SetHidden(ctx, "d1", true); err != nil {
		t.Fatal(err)
	}
	visible := func() []string {
		ds, err := db.VisibleDialogs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	if got := visible(); !slices.Equal(got, []string{"d2"}) {
		t.Fatalf("visible %v", got)
	}
	if all, _ := db.Dialogs(ctx); len(all) != 2 {
		t.Fatal("Dialogs must still list hidden dialogs")
	}
	// Back-filled older history does not bring it back; a new message does.
	upsert(t, db, newMsg("d1", 1, 10, "older"))
	if got := visible(); slices.Contains(got, "d1") {
		t.Fatal("older message unhid the dialog")
	}
	upsert(t, db, newMsg("d1", 3, 30, "peer writes again"))
	if got := visible(); !slices.Contains(got, "d1") {
		t.Fatalf("new message did not show the dialog: %v", got)
	}
	if err := db.SetHidden(ctx, "d2", true); err != nil {
		t.Fatal(err)
	}
	if err := db.SetHidden(ctx, "d2", false); err != nil {
		t.Fatal(err)
	}
	if got := visible(); len(got) != 2 {
		t.Fatalf("unhide by hand: %v", got)
	}
}

func TestDraftsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	changes, cancel := db.Subscribe()
	if err := db.SetDraft(ctx, "d1", "half a thought"); err != nil {
		t.Fatal(err)
	}
	if c := drain(t, changes); !slices.Equal(c.Drafts, []string{"d1"}) {
		t.Fatalf("change %+v", c)
	}
	if err := db.SetDraft(ctx, "d1", "half a thought"); err != nil {
		t.Fatal(err)
	}
	assertQuiet(t, changes)
	cancel()
	if err := db.SetDraft(ctx, "d2", "other"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetDraft(ctx, "", "x"); err == nil {
		t.Fatal("draft without dialog accepted")
	}
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if text, _ := db.Draft(ctx, "d1"); text != "half a thought" {
		t.Fatalf("draft after restart %q", text)
	}
	if err := db.SetDraft(ctx, "d2", ""); err != nil {
		t.Fatal(err)
	}
	all, err := db.Drafts(ctx)
	if err != nil || len(all) != 1 || all["d1"] != "half a thought" {
		t.Fatalf("drafts %v, %v", all, err)
	}
	if text, err := db.Draft(ctx, "none"); text != "" || err != nil {
		t.Fatalf("missing draft = %q, %v", text, err)
	}
}

func TestRemoveDialogAndClearHistory(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 2, UnreadCount: 3}, {ID: "d2", Type: 2}}); err != nil {
		t.Fatal(err)
	}
	upsert(t, db, newMsg("d1", 1, 1, "alpha words"), newMsg("d1", 2, 2, "beta words"), newMsg("d2", 3, 3, "gamma words"))
	if err := db.EnqueueOutgoing(ctx, Message{ID: msgID(4), DialogID: "d1", SenderID: 7, Body: "queued words"}); err != nil {
		t.Fatal(err)
	}
	enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: msgID(1), Text: "alpha edited"})
	db.AddGap(ctx, "d1", base, base.Add(time.Hour))
	db.SetDraft(ctx, "d1", "draft")

	if err := db.ClearHistory(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if page, _ := db.Messages(ctx, "d1", time.Time{}, "", 0); len(page) != 0 {
		t.Fatalf("history left: %v", ids(page))
	}
	d, _ := db.Dialog(ctx, "d1")
	if d.LastMessage != "" || d.UnreadCount != 0 {
		t.Fatalf("dialog after clear: %+v", d)
	}
	if out, _ := db.Outbox(ctx); len(out) != 0 {
		t.Fatal("outbox kept a cleared message")
	}
	if acts, _ := db.Actions(ctx); len(acts) != 0 {
		t.Fatal("actions kept for a cleared message")
	}
	if text, _ := db.Draft(ctx, "d1"); text != "draft" {
		t.Fatal("clearing history lost the draft")
	}
	checkFTS(t, db)

	if err := db.RemoveDialog(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Dialog(ctx, "d1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dialog still there: %v", err)
	}
	if text, _ := db.Draft(ctx, "d1"); text != "" {
		t.Fatal("draft of a removed dialog kept")
	}
	if found, _ := db.Search(ctx, "words", 0); !slices.Equal(ids(found), []string{msgID(3)}) {
		t.Fatalf("search after removal: %v", ids(found))
	}
	checkFTS(t, db)
	if err := db.RemoveDialog(ctx, "never-was"); err != nil {
		t.Fatal(err)
	}
}
