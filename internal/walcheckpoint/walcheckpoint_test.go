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

// startTable opens a WAL database with a table and starts a checkpointer on it.
func startTable(t *testing.T, p Policy) *Checkpointer {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "w.db")+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	c := StartWith(db, p, func(err error) { t.Errorf("checkpoint: %v", err) })
	t.Cleanup(c.Stop)
	return c
}

// commitEvery tells c of a commit every gap until d has passed.
func commitEvery(c *Checkpointer, gap, d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(gap) {
		c.Committed()
	}
}

func TestCheckpointWaitsForAGapBetweenCommits(t *testing.T) {
	c := startTable(t, Policy{Every: time.Millisecond, Quiet: 300 * time.Millisecond, Longest: time.Minute})
	commitEvery(c, 5*time.Millisecond, 600*time.Millisecond)
	if n := c.Runs(); n != 0 {
		t.Fatalf("%d checkpoints while commits came every 5 ms, want none before a 300 ms gap", n)
	}
	testwait.For(t, "a checkpoint in the gap after the commits", 10*time.Second, func() bool { return c.Runs() == 1 })
}

func TestCheckpointUnderCommitsThatNeverPause(t *testing.T) {
	c := startTable(t, Policy{Every: time.Millisecond, Quiet: time.Minute, Longest: 100 * time.Millisecond})
	done := make(chan struct{})
	go func() { // commits with no gap of a minute until the checkpoint has run
		defer close(done)
		for c.Runs() == 0 && !t.Failed() {
			c.Committed()
			time.Sleep(5 * time.Millisecond)
		}
	}()
	testwait.For(t, "a checkpoint at most Longest after the first commit", 10*time.Second, func() bool { return c.Runs() >= 1 })
	<-done
}
