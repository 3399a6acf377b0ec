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
