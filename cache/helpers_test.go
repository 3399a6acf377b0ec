package cache

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// base is a fixed instant on a whole second, so stored times compare exactly.
var base = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// openTest opens a fresh cache in a temporary directory, closed at cleanup.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// msgID makes a 24-hex id that sorts by n, like a server ObjectId.
func msgID(n int) string { return fmt.Sprintf("%024x", n) }

// newMsg is a sent message n of dialog, at base+sec.
func newMsg(dialog string, n int, sec int, body string) Message {
	return Message{
		ID: msgID(n), DialogID: dialog, SenderID: 7, RecipientID: 8, Body: body,
		SentAt: base.Add(time.Duration(sec) * time.Second), State: StateSent,
	}
}

func upsert(t testing.TB, db *DB, msgs ...Message) int {
	t.Helper()
	n, err := db.UpsertMessages(context.Background(), msgs)
	if err != nil {
		t.Fatalf("UpsertMessages: %v", err)
	}
	return n
}

func getMsg(t testing.TB, db *DB, id string) Message {
	t.Helper()
	m, err := db.Message(context.Background(), id)
	if err != nil {
		t.Fatalf("Message(%s): %v", id, err)
	}
	return *m
}

func ids(msgs []Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// drain returns the change waiting on ch, or fails after a second.
func drain(t testing.TB, ch <-chan Change) Change {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("change feed closed")
		}
		return c
	case <-time.After(time.Second):
		t.Fatal("no change published")
	}
	return Change{}
}

// assertQuiet fails when a change is waiting on ch.
func assertQuiet(t testing.TB, ch <-chan Change) {
	t.Helper()
	select {
	case c := <-ch:
		t.Fatalf("unexpected change %+v", c)
	default:
	}
}
