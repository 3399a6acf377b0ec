package sync

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
)

// A read whose request ran out of time may have reached the server: it is queued
// all the same, although the caller's context has ended (the soak saw the server
// hold reads the cache never recorded when this write failed with that context).
func TestReadIsQueuedAfterTheCallersDeadline(t *testing.T) {
	db, err := cache.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.SaveAccount(context.Background(), cache.Account{UserID: 7, Login: "ann"}); err != nil {
		t.Fatal(err)
	}
	e := New(db, Profile{}, nil)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if err := e.queueRead(ctx, "d1", []string{"m1"}, "the read request timed out"); err != nil {
		t.Fatalf("queueing after the deadline: %v", err)
	}
	actions, err := db.Actions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != 1 || actions[0].Kind != cache.ActionRead || actions[0].DialogID != "d1" {
		t.Fatalf("queued %+v, want the read of d1", actions)
	}
}
