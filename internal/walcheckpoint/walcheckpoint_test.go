package walcheckpoint

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync/atomic"
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
	c := Start(db, nil, func(err error) { t.Errorf("checkpoint: %v", err) })
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
	c := StartWith(db, p, nil, func(err error) { t.Errorf("checkpoint: %v", err) })
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

// openWAL opens a WAL database with a table t of a few rows and a one-row table r
// for restarts.
func openWAL(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "w.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{`CREATE TABLE t (x)`, `CREATE TABLE r (n)`, `INSERT INTO r VALUES (0)`,
		`INSERT INTO t VALUES (1)`, `INSERT INTO t VALUES (2)`, `INSERT INTO t VALUES (3)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// walFrames is how many frames the log holds (a checkpoint's report; it moves
// nothing new in these tests, which call it after the checkpointer's own).
func walFrames(t *testing.T, db *sql.DB) int {
	t.Helper()
	var busy, logged, moved int
	if err := db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &moved); err != nil {
		t.Fatal(err)
	}
	return logged
}

// After a checkpoint that moved the whole log, the restart write is the one that
// starts the log again: the log then holds its frame alone, where without it the
// old frames stay until some later write (a user's) restarts it.
func TestRestartWriteStartsTheLogAgain(t *testing.T) {
	for _, withRestart := range []bool{false, true} {
		db := openWAL(t)
		before := walFrames(t, db)
		var restarts atomic.Int64
		restart := func(ctx context.Context) error {
			restarts.Add(1)
			_, err := db.ExecContext(ctx, `UPDATE r SET n = n + 1`)
			return err
		}
		if !withRestart {
			restart = nil
		}
		c := Start(db, restart, func(err error) { t.Errorf("checkpoint: %v", err) })
		c.Committed()
		testwait.For(t, "a checkpoint", 10*time.Second, func() bool { return c.Runs() == 1 })
		c.Stop()
		switch got := walFrames(t, db); {
		case withRestart && (restarts.Load() != 1 || got != 1):
			t.Errorf("with a restart: %d restarts, log of %d frames; want 1 restart and its 1 frame (log was %d)", restarts.Load(), got, before)
		case !withRestart && got != before:
			t.Errorf("without a restart: log of %d frames, want the %d before it", got, before)
		}
	}
}

// A checkpoint that could not move the whole log (a reader still uses its end)
// runs no restart: the write would only add a frame.
func TestNoRestartWhileAReaderHoldsTheLog(t *testing.T) {
	db := openWAL(t)
	ctx := context.Background()
	reader, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := reader.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil { // the snapshot starts here
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO t VALUES (4)`); err != nil { // past the reader's snapshot
		t.Fatal(err)
	}
	var restarts atomic.Int64
	c := Start(db, func(context.Context) error { restarts.Add(1); return nil }, func(err error) { t.Errorf("checkpoint: %v", err) })
	c.Committed()
	testwait.For(t, "a checkpoint", 10*time.Second, func() bool { return c.Runs() == 1 })
	c.Stop()
	if _, err := reader.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	if n := restarts.Load(); n != 0 {
		t.Fatalf("%d restarts after a checkpoint a reader held back, want none", n)
	}
}
