// Package walcheckpoint moves a SQLite write-ahead log into its database off the write
// path. SQLite's automatic checkpoint runs inside the commit that takes the WAL past
// its threshold: that writer copies the pages into the file and waits for their
// fsyncs while every other write waits behind it (dozens of times in a catch-up of
// 100,000 messages, and up to a tenth of the server's group committer under load:
// docs/benchmarks.md, issue 10). So the owner sets its connections' automatic
// checkpoint far higher, as a backstop only, and a Checkpointer runs a PASSIVE
// checkpoint, which never blocks writers or readers, while writes are committed (see
// Policy for when). Durability does not change: a commit is in the WAL when it
// returns; the checkpoint only moves it into the main file. The client cache and the
// server's store both use it.
package walcheckpoint

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/internal/quietgap"
)

// Policy says when a checkpoint runs: at least Every after the last one, once
// something was committed, in the first gap of Quiet without a commit, and at the
// latest Longest after that first commit.
//
// The gap matters more than the rate. A checkpoint costs milliseconds of CPU (and two
// fsyncs); started at the commit that asked for it, it ran while the rest of that
// write's work was still under way: the live message whose queueing write had just
// committed, travelling through the server to its recipient, met it on the machine's
// cores (docs/benchmarks.md, "Issue 10, live path, round 5"). Writes come in bursts
// (a message's queueing write, its confirmation, its markers; a page of a
// catch-up), so waiting for a short silence puts the checkpoint between bursts.
// Under writes that never pause, Longest bounds the wait, and so the WAL.
type Policy struct {
	Every, Quiet, Longest time.Duration
}

// Default is the policy of Start.
var Default = Policy{Every: 250 * time.Millisecond, Quiet: 5 * time.Millisecond, Longest: 500 * time.Millisecond}

// Checkpointer is one database's background checkpoint goroutine, owned by whoever
// started it and stopped by Stop.
type Checkpointer struct {
	conn    *sql.DB
	policy  Policy
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
	return StartWith(conn, Default, onError)
}

// StartWith is Start with a policy of its own.
func StartWith(conn *sql.DB, policy Policy, onError func(error)) *Checkpointer {
	c := &Checkpointer{conn: conn, policy: policy, onError: onError, wrote: make(chan struct{}, 1),
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
		if !c.awaitQuiet() {
			return
		}
		if _, err := c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			if c.onError != nil {
				c.onError(err)
			}
		} else {
			c.runs.Add(1)
		}
		if !c.sleep(c.policy.Every) {
			return
		}
	}
}

// awaitQuiet waits, after a commit, for Quiet without another one, or for Longest in
// all; false means Stop was called.
func (c *Checkpointer) awaitQuiet() bool {
	return quietgap.Await(c.wrote, c.stop, c.policy.Quiet, c.policy.Longest)
}

// sleep waits for d; false means Stop was called.
func (c *Checkpointer) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.stop:
		return false
	}
}
