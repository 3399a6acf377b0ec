package walcheckpoint

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cubechat/cubechat/internal/testwait"
)

// A commit wakes a checkpoint, and Stop can be called twice.
func TestCheckpointsAfterACommit(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "w.db")+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	c := Start(db, func(err error) { t.Errorf("checkpoint: %v", err) })
	c.Committed()
	testwait.For(t, "a checkpoint after a commit", 10*time.Second, func() bool { return c.Runs() == 1 })
	c.Stop()
	c.Stop()
}
