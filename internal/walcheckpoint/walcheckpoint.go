// Package walcheckpoint moves a SQLite write-ahead log into its database off the write
// path. SQLite's automatic checkpoint runs inside the commit that takes the WAL past
// its threshold: that writer copies the pages into the file and waits for their
// fsyncs while every other write waits behind it (dozens of times in a catch-up of
// 100,000 messages, and up to a tenth of the server's group committer under load:
// docs/benchmarks.md, issue 10). So the owner sets its connections' automatic
// checkpoint far higher, as a backstop only, and a Checkpointer runs a PASSIVE
// checkpoint, which never blocks writers or readers, at most every Every while writes
// are committed. Durability does not change: a commit is in the WAL when it returns;
// the checkpoint only moves it into the main file. The client cache and the server's
// store both use it.
package walcheckpoint

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// Every is the shortest time between two checkpoints.
const Every = 250 * time.Millisecond

// Checkpointer is one database's background checkpoint goroutine, owned by whoever
// started it and stopped by Stop.
type Checkpointer struct {
	conn    *sql.DB
	onError func(error)
	wrote   chan struct{} // something was committed (buffered 1)
	stop    chan struct{}
	done    chan struct{}
	runs    atomic.Int64
}

// Start starts checkpointing through conn. onError (may be nil) hears of a failed
// checkpoint (a full disk), which is tried again after the next commit; the
// connections' backstop bounds the WAL meanwhile.
func Start(conn *sql.DB, onError func(error)) *Checkpointer {
	c := &Checkpointer{conn: conn, onError: onError, wrote: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// Committed tells the checkpointer that the WAL grew; it never blocks.
func (c *Checkpointer) Committed() {
	select {
	case c.wrote <- struct{}{}:
	default:
	}
}

// Runs is how many checkpoints have completed without error.
func (c *Checkpointer) Runs() int64 { return c.runs.Load() }

// Stop stops the goroutine after the checkpoint in progress; it may be called again.
func (c *Checkpointer) Stop() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	<-c.done
}

func (c *Checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.wrote:
		case <-c.stop:
			return
		}
		if _, err := c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			if c.onError != nil {
				c.onError(err)
			}
		} else {
			c.runs.Add(1)
		}
		select {
		case <-time.After(Every):
		case <-c.stop:
			return
		}
	}
}
