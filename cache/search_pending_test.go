package cache

import (
	"context"
	"path/filepath"
	"testing"
)

// pendingCount is how many rows wait for their search entry.
func pendingCount(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT COUNT(*) FROM fts_pending`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLiveMessagesAreSearchableAtOnceAndAfterACrash: a message stored live and one
// queued by the user wait for their search entries, yet a search finds them at
// once; entries left pending when a session ends are written by the next one, and
// the index then agrees with its table.
func TestLiveMessagesAreSearchableAtOnceAndAfterACrash(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.stopIndexer() // nothing writes the entries in the background: they stay pending
	if _, err := db.StoreLive(ctx, []Message{newMsg("d1", 1, 0, "zebra crossing")}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.EnqueueWritten(ctx, Message{ID: msgID(2), DialogID: "d1", SenderID: 7, RecipientID: 8,
		Body: "zebra stripes"}); err != nil {
		t.Fatal(err)
	}
	if n := pendingCount(t, db); n != 2 {
		t.Fatalf("%d rows pending, want 2", n)
	}
	got, err := db.Search(ctx, "zebra", 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("search = %v, %v; want both messages", ids(got), err)
	}
	if n := pendingCount(t, db); n != 0 {
		t.Fatalf("%d rows pending after a search, want 0", n)
	}
	checkFTS(t, db)

	if _, err := db.StoreLive(ctx, []Message{newMsg("d1", 3, 1, "quokka selfie")}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err = db.Search(ctx, "quokka", 10)
	if err != nil || len(got) != 1 || got[0].ID != msgID(3) {
		t.Fatalf("search after reopening = %v, %v; want the message left pending", ids(got), err)
	}
	checkFTS(t, db)
}

// TestPendingRowsChangeAndGoWithoutTouchingTheIndex: the text of a row whose entry
// is pending may change (an edit, a deletion) and the row may go (its dialog
// removed, an unsent message taken back); the index then holds exactly what the
// table says.
func TestPendingRowsChangeAndGoWithoutTouchingTheIndex(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	db.stopIndexer()
	if _, err := db.StoreLive(ctx, []Message{newMsg("d1", 1, 0, "original words"), newMsg("d2", 2, 0, "gone soon"),
		newMsg("d1", 3, 1, "deleted later")}, nil); err != nil {
		t.Fatal(err)
	}
	edited := newMsg("d1", 1, 0, "edited words")
	edited.EditedAt = base.Add(5)
	deleted := newMsg("d1", 3, 1, "deleted later")
	deleted.Deleted = true
	upsert(t, db, edited, deleted)
	if err := db.RemoveDialog(ctx, "d2"); err != nil {
		t.Fatal(err)
	}
	unsent := Message{ID: msgID(4), DialogID: "d1", SenderID: 7, RecipientID: 8, Body: "never sent"}
	if err := db.EnqueueOutgoing(ctx, unsent); err != nil {
		t.Fatal(err)
	}
	enqueueAction(t, db, Action{Kind: ActionDelete, MessageID: unsent.ID, ForEveryone: true})

	for word, want := range map[string]int{"original": 0, "edited": 1, "gone": 0, "deleted": 0, "never": 0} {
		got, err := db.Search(ctx, word, 10)
		if err != nil || len(got) != want {
			t.Errorf("search %q = %v, %v; want %d", word, ids(got), err, want)
		}
	}
	if n := pendingCount(t, db); n != 0 {
		t.Fatalf("%d rows pending, want 0", n)
	}
	checkFTS(t, db)
}

// Every commit tells the indexer, which waits for a gap between them before it
// writes (quietgap): an index run started inside a message's burst of writes
// delayed that message.
func TestCommitsTellTheIndexer(t *testing.T) {
	db := openTest(t)
	select {
	case <-db.idx.committed:
	default:
	}
	if err := db.SetDraft(context.Background(), "d1", "a commit"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-db.idx.committed:
	default:
		t.Fatal("a commit did not tell the indexer")
	}
}
