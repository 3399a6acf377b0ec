package sync

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// TestPageWriterGroupKeepsTheServersOrder: pages of several dialogs stored as one
// group, one of them repeating a message of the page before (a page boundary), leave
// each message stored once and every dialog reading in the server's order, a second
// split over two pages included.
func TestPageWriterGroupKeepsTheServersOrder(t *testing.T) {
	ctx := context.Background()
	db, err := cache.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e := New(db, Profile{}, testLogger("writer"))
	base := time.Now().Add(-time.Hour).Unix()
	msg := func(dialog, id string, sec int64) cube.Message {
		return cube.Message{ID: id, ChatDialogID: dialog, Message: id, DateSent: base + sec, SenderID: 2}
	}
	// Newest first, as catch-up lists: two pages of d1 sharing m3 (a boundary
	// repeat) and a second m2/m3 stored by the server in that order; one page of d2.
	d1 := newServerListing(true)
	d2 := newServerListing(true)
	jobs := []storeJob{
		{page: []cube.Message{msg("d1", "m5", 3), msg("d1", "m4", 2), msg("d1", "m3", 1)}, listing: d1},
		{page: []cube.Message{msg("d2", "n2", 9), msg("d2", "n1", 9)}, listing: d2},
		{page: []cube.Message{msg("d1", "m3", 1), msg("d1", "m2", 1), msg("d1", "m1", 0)}, listing: d1},
	}
	for i := range jobs {
		jobs[i].done = make(chan error, 1)
	}
	w := &pageWriter{e: e, me: 1}
	w.storeGroup(ctx, jobs)
	for i, j := range jobs {
		if err := <-j.done; err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
	}
	order := func(dialog string) []string {
		ms, err := db.Messages(ctx, dialog, time.Time{}, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		return ids
	}
	if got := order("d1"); !slices.Equal(got, []string{"m1", "m2", "m3", "m4", "m5"}) {
		t.Fatalf("d1 reads %v, want m1…m5 (m2 before m3 in their second, as listed)", got)
	}
	if got := order("d2"); !slices.Equal(got, []string{"n1", "n2"}) {
		t.Fatalf("d2 reads %v, want n1, n2 (the server's order within their second)", got)
	}
}
