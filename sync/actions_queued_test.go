package sync

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/cubechat/cubechat/cache"
)

// The outbox reads the action queue only when an action may be in it. The cache
// here is closed, so any read fails: a drain that reads reports a retry.
func TestDrainActionsReadsTheQueueOnlyWhenMarked(t *testing.T) {
	db, err := cache.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	e := New(db, Profile{}, nil)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if retry := e.drainActions(ctx, nil); !retry {
		t.Fatal("a new engine did not read the queue the last session may have left")
	}
	if !e.actionsQueued.Load() {
		t.Fatal("a failed read cleared the mark: the queue would not be read again")
	}
	e.actionsQueued.Store(false)
	if retry := e.drainActions(ctx, nil); retry {
		t.Fatal("the queue was read although no action was queued")
	}
	e.kickOutbox() // what queueing an action does
	if retry := e.drainActions(ctx, nil); !retry {
		t.Fatal("the queue was not read after an action was queued")
	}
}
