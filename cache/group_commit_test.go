package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

// TestGroupCommitJoinsWaitingWritesAndUndoesOnlyAFailedOne: writes that queue up
// behind a running one are committed together in the next transaction; a write
// that fails (an unknown dialog) and one whose caller gave up before it started
// leave nothing behind, and the others still commit.
func TestGroupCommitJoinsWaitingWritesAndUndoesOnlyAFailedOne(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3, OccupantIDs: []int64{7, 8}}}); err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	results := make(chan error, 8)
	go func() {
		results <- db.write(ctx, "hold the writer", func(*txn, *Change) error {
			close(started)
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
			return nil
		})
	}()
	testwait.Recv(t, "the first write to start", 10*time.Second, started)

	const good = 4
	for i := range good {
		go func() {
			_, err := db.UpsertMessages(ctx, []Message{newMsg("d1", i+1, i, "grouped")})
			results <- err
		}()
	}
	notFound := make(chan error, 1)
	go func() { notFound <- db.SetUnread(ctx, "no-such-dialog", 1) }()
	gaveUp, cancel := context.WithCancel(ctx)
	cancel()
	cancelled := make(chan error, 1)
	go func() {
		_, err := db.UpsertMessages(gaveUp, []Message{newMsg("d1", 9, 9, "never")})
		cancelled <- err
	}()
	testwait.For(t, "six writes waiting", 10*time.Second, func() bool {
		db.groups.mu.Lock()
		defer db.groups.mu.Unlock()
		return len(db.groups.waiting) == good+2
	})
	close(release)

	for range good + 1 {
		if err, _ := testwait.Recv(t, "a write", 10*time.Second, results); err != nil {
			t.Fatal(err)
		}
	}
	if err, _ := testwait.Recv(t, "the failing write", 10*time.Second, notFound); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetUnread of an unknown dialog: %v, want ErrNotFound", err)
	}
	if err, _ := testwait.Recv(t, "the abandoned write", 10*time.Second, cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("write of a caller that gave up: %v, want context.Canceled", err)
	}
	for i := range good {
		getMsg(t, db, msgID(i+1))
	}
	if _, err := db.Message(ctx, msgID(9)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the abandoned write's message: %v, want ErrNotFound", err)
	}
	db.groups.mu.Lock()
	grouped := db.groups.grouped
	db.groups.mu.Unlock()
	if grouped != good+2 {
		t.Fatalf("%d writes ran in a group, want %d", grouped, good+2)
	}
}
