package cache

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
)

// A write that fails after writing part of its rows leaves nothing behind, and the
// connection outside any transaction: the next write begins its own (BEGIN inside
// an open transaction would fail) and commits.
func TestFailedWriteLeavesTheConnectionReady(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	broke := errors.New("the write gives up half way")
	err := db.write(ctx, "half a write", func(tx *txn, _ *Change) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (dialog_id, text, updated_at) VALUES ('d1', 'lost', 1)`); err != nil {
			return err
		}
		return broke
	})
	if !errors.Is(err, broke) {
		t.Fatalf("write = %v, want its own error", err)
	}
	if err := db.SetDraft(ctx, "d2", "kept"); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	drafts := map[string]string{}
	for _, id := range []string{"d1", "d2"} {
		body, err := db.Draft(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		drafts[id] = body
	}
	if drafts["d1"] != "" || drafts["d2"] != "kept" {
		t.Fatalf("drafts after a failed and a good write: %q", drafts)
	}
}

// A connection the writer had to give up (it could not roll back) is replaced by
// a fresh one at the next write, statements prepared again.
func TestWriterReplacesADiscardedConnection(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.SetDraft(ctx, "d1", "first"); err != nil {
		t.Fatal(err)
	}
	db.w.mu.Lock()
	old := db.w.conn
	db.w.discard()
	db.w.mu.Unlock()
	if err := db.SetDraft(ctx, "d1", "second"); err != nil {
		t.Fatalf("write after the connection was discarded: %v", err)
	}
	if db.w.conn == nil || db.w.conn == old {
		t.Fatal("the writer did not open a fresh connection")
	}
	if body, err := db.Draft(ctx, "d1"); err != nil || body != "second" {
		t.Fatalf("draft = %q, %v", body, err)
	}
}

// A write checks its caller's context before it starts; once started it runs to
// its end, even if the caller gives up meanwhile (writer.go).
func TestStartedWriteOutlivesItsCallersCancellation(t *testing.T) {
	db := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.write(ctx, "a write whose caller leaves", func(tx *txn, _ *Change) error {
		cancel()
		_, err := tx.ExecContext(ctx, `INSERT INTO drafts (dialog_id, text, updated_at) VALUES ('d1', 'stays', 1)`)
		return err
	})
	if err != nil {
		t.Fatalf("write = %v, want it committed", err)
	}
	if body, err := db.Draft(context.Background(), "d1"); err != nil || body != "stays" {
		t.Fatalf("draft = %q, %v", body, err)
	}
	if err := db.SetDraft(ctx, "d2", "never"); !errors.Is(err, context.Canceled) {
		t.Fatalf("write of a caller that already left = %v, want context.Canceled", err)
	}
}

// After Close a write fails with an error, and does not reopen the file.
func TestWriteAfterCloseFails(t *testing.T) {
	db := openTest(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.SetDraft(context.Background(), "d1", "too late"); err == nil {
		t.Fatal("a write after Close succeeded")
	}
}

// A background write lets goroutines that are ready to run go before each of its
// statements; a write the user waits for does not stop for them. One processor, so
// that the ready goroutine can only run when the writer lets it.
func TestBackgroundWriteLetsReadyGoroutinesGoFirst(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, c := range []struct {
		name  string
		write func(context.Context, string, func(*txn, *Change) error) error
		want  bool
	}{{"background", db.writeBackground, true}, {"foreground", db.write, false}} {
		var ran atomic.Bool
		var ranFirst bool
		err := c.write(ctx, c.name+" write", func(tx *txn, _ *Change) error {
			done := make(chan struct{})
			go func() { ran.Store(true); close(done) }()
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1`).Scan(&one) // no system call: nothing else lets it run
			ranFirst = ran.Load()
			<-done
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if ranFirst != c.want {
			t.Errorf("%s write: the ready goroutine ran before its statement = %v, want %v", c.name, ranFirst, c.want)
		}
	}
}
