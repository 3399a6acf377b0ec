package cache

import (
	"context"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

// TestCommitsAreCheckpointedOffTheWritePath: the writer's own automatic checkpoint
// is only a backstop, and a commit wakes the background checkpoint, which moves the
// WAL into the file while the writer goes on.
func TestCommitsAreCheckpointedOffTheWritePath(t *testing.T) {
	db := openTest(t)
	var backstop int
	if err := db.w.QueryRowContext(context.Background(), `PRAGMA wal_autocheckpoint`).Scan(&backstop); err != nil {
		t.Fatal(err)
	}
	if backstop != walBackstopPages {
		t.Fatalf("the writer checkpoints every %d pages itself, want %d (a backstop)", backstop, walBackstopPages)
	}
	before := db.ckpt.Runs()
	upsert(t, db, newMsg("d1", 1, 0, "hello"))
	testwait.For(t, "a background checkpoint after the commit", 10*time.Second, func() bool {
		return db.ckpt.Runs() > before
	})
}

// After a checkpoint that emptied the log, the checkpointer's own one-row write
// starts the log again (internal/walcheckpoint): the log then holds that write's
// frame alone, so the next user write appends to it instead of restarting it.
func TestTheCheckpointerRestartsTheLog(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	restarts := func() int {
		var n int
		if err := db.r.QueryRowContext(ctx, `SELECT n FROM wal_restart`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := restarts()
	// A draft, not a message: the search indexer writes nothing after it, so the
	// checkpointer's restart is the last write.
	if err := db.SetDraft(ctx, "d1", "hello"); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "a restart after the checkpoint", 10*time.Second, func() bool { return restarts() > before })
	var busy, logged, moved int
	if err := db.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &moved); err != nil {
		t.Fatal(err)
	}
	if logged != 1 {
		t.Fatalf("the log holds %d frames after the restart, want the restart's 1", logged)
	}
}
