package bigcache

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
)

// TestSmallFixtureIsAConsistentCache builds a small fixture and reads it back
// through the cache's own API: the counts, the big dialog, each dialog's last
// message, the rare word, and a second Path reusing the file.
func TestSmallFixtureIsAConsistentCache(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	ctx := context.Background()
	p := Params{Messages: 5000, Dialogs: 40, BigDialog: 500, Users: 12}
	path, err := Path(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	db, err := cache.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckIntegrity(ctx); err != nil {
		t.Fatalf("integrity: %v", err)
	}
	dialogs, err := db.VisibleDialogs(ctx)
	if err != nil || len(dialogs) != p.Dialogs {
		t.Fatalf("%d dialogs, %v; want %d", len(dialogs), err, p.Dialogs)
	}
	total := 0
	for _, d := range dialogs {
		page, err := db.Messages(ctx, d.ID, time.Time{}, "", p.Messages)
		if err != nil {
			t.Fatal(err)
		}
		total += len(page)
		if d.ID == BigDialog && len(page) != p.BigDialog {
			t.Errorf("big dialog holds %d messages, want %d", len(page), p.BigDialog)
		}
		if len(page) > 0 && page[len(page)-1].ID != d.LastMessageID {
			t.Errorf("dialog %s: last message %s, newest stored %s", d.ID, d.LastMessageID, page[len(page)-1].ID)
		}
	}
	if total != p.Messages {
		t.Errorf("%d messages in the dialogs, want %d", total, p.Messages)
	}
	found, err := db.Search(ctx, RareWord, 100)
	if err != nil || len(found) == 0 || len(found) > RareCount {
		t.Errorf("rare word: %d found, %v; want 1..%d", len(found), err, RareCount)
	}
	if found, err := db.Search(ctx, "the", 50); err != nil || len(found) != 50 {
		t.Errorf("common word: %d found, %v", len(found), err)
	}
	again, err := Path(ctx, p)
	if err != nil || again != path {
		t.Errorf("second Path: %q, %v; want the same file %q", again, err, path)
	}
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := Copy(ctx, p, dst); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dst); err != nil || st.Size() == 0 {
		t.Errorf("copy: %v", err)
	}
}
