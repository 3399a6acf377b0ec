package store

import (
	"context"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
)

// Commits no longer checkpoint the WAL themselves (only a far backstop); the store's
// own goroutine does it after writes.
func TestWritesAreCheckpointedInTheBackground(t *testing.T) {
	s := openTest(t)
	var pages int
	if err := s.db.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil || pages != walBackstopPages {
		t.Fatalf("wal_autocheckpoint = %d (%v), want the backstop %d", pages, err, walBackstopPages)
	}
	before := s.ckpt.Runs()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d, err := s.FindOrCreatePrivateDialog(context.Background(), a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StoreChatMessage(context.Background(), cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID, Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "a background checkpoint", 10*time.Second, func() bool { return s.ckpt.Runs() > before })
}

// A checkpoint that emptied the log is followed by the store's own one-row write,
// which starts the log again: the log then holds that write's frame alone, so the
// next message's commit appends instead of restarting it (and waiting for the new
// header's fsync).
func TestTheCheckpointerRestartsTheLog(t *testing.T) {
	s := openTest(t)
	restarts := func() int {
		var n int
		if err := s.db.QueryRow(`SELECT n FROM wal_restart`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := restarts()
	mustUser(t, s, "a")
	testwait.For(t, "a restart after the checkpoint", 10*time.Second, func() bool { return restarts() > before })
	var busy, logged, moved int
	if err := s.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &moved); err != nil {
		t.Fatal(err)
	}
	if logged != 1 {
		t.Fatalf("the log holds %d frames after the restart, want the restart's 1", logged)
	}
}
