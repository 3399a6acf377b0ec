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
