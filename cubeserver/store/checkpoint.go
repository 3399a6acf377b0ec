package store

import (
	"context"
	"sync/atomic"
	"time"
)

// WAL checkpoints off the write path. SQLite's automatic checkpoint runs inside the
// commit that pushes the WAL past its threshold: that writer copies the pages into
// the database and waits for two fsyncs while every other writer waits behind it
// (up to a tenth of the group committer's CPU under load, and its fsync latency on a
// slow disk, docs/benchmarks.md). Instead each connection's automatic checkpoint is
// set far higher (walBackstopPages, only a backstop should this goroutine fall
// behind), and a goroutine of the store runs a PASSIVE checkpoint, which never blocks
// writers or readers, at most every checkpointEvery while writes are committed.
// Durability does not change: a commit is in the WAL when it returns, as before; the
// checkpoint only moves it into the main file.

const (
	checkpointEvery  = 250 * time.Millisecond
	walBackstopPages = 20000 // ~80 MiB of WAL at 4 KiB pages
)

// checkpointer is the store's background checkpoint goroutine (started by Open,
// stopped by Close).
type checkpointer struct {
	wrote chan struct{} // something was committed (buffered 1)
	stop  chan struct{}
	done  chan struct{}
	runs  atomic.Int64 // checkpoints that completed without error
}

func newCheckpointer() *checkpointer {
	return &checkpointer{wrote: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// committed tells the checkpointer that the WAL grew; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.wrote <- struct{}{}:
	default:
	}
}

// run checkpoints after writes, at most every checkpointEvery, until stop.
func (s *Store) runCheckpoints() {
	c := s.ckpt
	defer close(c.done)
	for {
		select {
		case <-c.wrote:
		case <-c.stop:
			return
		}
		// A failed checkpoint is retried after the next write; the backstop keeps
		// the WAL bounded meanwhile.
		if _, err := s.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err == nil {
			c.runs.Add(1)
		}
		select {
		case <-time.After(checkpointEvery):
		case <-c.stop:
			return
		}
	}
}

// close stops the checkpointer after the checkpoint in progress.
func (c *checkpointer) close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	<-c.done
}
