package cache

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// openFixtureV0001 copies testdata/v0001.db (a cache written by the first-wave
// code, with only migration 0001 applied) and opens it, which migrates it.
func openFixtureV0001(t *testing.T) (*DB, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "v0001.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cache.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open(v0001 fixture): %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestMigrateFromV0001KeepsEverything(t *testing.T) {
	ctx := context.Background()
	db, _ := openFixtureV0001(t)
	var versions []int
	rows, err := db.r.Query(`SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		rows.Scan(&v)
		versions = append(versions, v)
	}
	rows.Close()
	ms, _ := loadMigrations()
	if len(versions) != len(ms) || versions[0] != 1 || versions[1] != 2 {
		t.Fatalf("schema versions %v, want 1..%d", versions, len(ms))
	}

	if a, err := db.Account(ctx); err != nil || a == nil || a.UserID != 7 || a.Login != "alice" {
		t.Fatalf("account %+v, %v", a, err)
	}
	users, _ := db.Users(ctx, nil)
	if u := users[8]; u.Login != "bob" || u.Avatar != "avatar-uid" || !u.UpdatedAt.Equal(base) || !u.LastSeen.IsZero() || u.Online {
		t.Fatalf("user 8 = %+v", u)
	}

	g, err := db.Dialog(ctx, "d-group")
	if err != nil {
		t.Fatal(err)
	}
	// Old fields intact; new ones at their defaults (notifications on, shown).
	if g.Name != "Team" || g.Photo != "photo-uid" || !g.Muted || g.UnreadCount != 2 ||
		!slices.Equal(g.AdminIDs, []int64{8}) || !slices.Equal(g.OccupantIDs, []int64{7, 8, 9}) ||
		!g.NotificationsEnabled || g.Hidden || g.Subscribed || g.PinnedMessageIDs != nil || g.Extensions != nil {
		t.Fatalf("group dialog after migration = %+v", g)
	}
	// The pending message of v1 still leads the group's row.
	if g.LastMessageID != msgID(5) {
		t.Fatalf("group last message %s", g.LastMessageID)
	}

	m2 := getMsg(t, db, msgID(2))
	if m2.Body != "hi alice, see the zanzibar photo" || len(m2.Attachments) != 1 ||
		m2.Attachments[0].UID != "blob-1" || m2.Attachments[0].Width != 640 || m2.Custom["country"] != "TZ" ||
		m2.DeliveredIDs != nil || m2.Reactions != nil || m2.Silent || m2.EditPending {
		t.Fatalf("message 2 after migration = %+v", m2)
	}
	if m3 := getMsg(t, db, msgID(3)); !m3.Edited() || !m3.EditedAt.Equal(base.Add(4*time.Second)) {
		t.Fatalf("message 3 lost its edit time: %+v", m3)
	}
	if m4 := getMsg(t, db, msgID(4)); !m4.Deleted || m4.Body != "" {
		t.Fatalf("deleted message 4 = %+v", m4)
	}
	if m1 := getMsg(t, db, msgID(1)); m1.State != StateRead {
		t.Fatalf("message 1 state %s", m1.State)
	}

	out, err := db.Outbox(ctx)
	if err != nil || !slices.Equal(ids(out), []string{msgID(5)}) || out[0].Body != "typed offline in v1" {
		t.Fatalf("outbox after migration = %v, %v", ids(out), err)
	}
	if found, _ := db.Search(ctx, "zanzibar", 0); !slices.Equal(ids(found), []string{msgID(2)}) {
		t.Fatalf("search after migration = %v", ids(found))
	}
	checkFTS(t, db)
	if gaps, _ := db.Gaps(ctx, "d-group"); len(gaps) != 1 || !gaps[0].To.Equal(base) {
		t.Fatalf("gaps after migration = %+v", gaps)
	}
	if v, _ := db.Cursor(ctx, "catchup"); v != "v1-cursor" {
		t.Fatalf("cursor %q", v)
	}

	// And the migrated file takes the new kinds of data.
	if _, err := db.AddMarkers(ctx, "d-private", []string{msgID(2)}, 7, MarkerRead); err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyReaction(ctx, msgID(2), 7, "👍", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EnqueueAction(ctx, Action{Kind: ActionEdit, MessageID: msgID(1), Text: "hello bob!"}); err != nil {
		t.Fatal(err)
	}
	m2 = getMsg(t, db, msgID(2))
	if !slices.Equal(m2.ReadIDs, []int64{7}) || !slices.Equal(m2.ReactionsOf(7), []string{"👍"}) {
		t.Fatalf("message 2 after new writes = %+v", m2)
	}
	if m1 := getMsg(t, db, msgID(1)); m1.Body != "hello bob!" || !m1.EditPending {
		t.Fatalf("edit on migrated row = %+v", m1)
	}
	checkFTS(t, db)
}

// TestMigrateDropsUnusedSentAtIndex: the v0001 file has messages_confirmed_sent_at;
// migration 0007 drops it (an index no query uses, paid on every insert).
func TestMigrateDropsUnusedSentAtIndex(t *testing.T) {
	db, _ := openFixtureV0001(t)
	var n int
	if err := db.r.QueryRow(`SELECT COUNT(*) FROM sqlite_master
		WHERE type = 'index' AND name = 'messages_confirmed_sent_at'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("messages_confirmed_sent_at survived the migrations")
	}
}
