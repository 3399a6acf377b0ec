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
	restart func(context.Context) error
	onError func(error)
	wrote   chan struct{} // something was committed (buffered 1)
	stop    chan struct{}
	done    chan struct{}
	runs    atomic.Int64
}

// Restarting the log. Once a checkpoint has moved every frame into the file, the
// next transaction that writes starts the WAL again from its beginning, and that
// transaction writes a new WAL header and waits for its fsync (SQLite must, so that
// a write after the restart cannot reach the disk before it). Left to chance, that
// is a user's write: a live message's store or queueing write paid 260 µs on
// average and up to 1.7 ms for it, and it was inside 18 of the 30 slowest live
// messages (docs/benchmarks.md, "Issue 10, live path, round 7"). So the owner
// gives a restart function, a write of one small row in turn with its other
// writes, which the checkpointer runs right after a complete checkpoint, still in
// the quiet gap: the fsync is paid there. It must not report itself as a commit
// (Committed), or the checkpointer would wake itself for ever.

// Start starts checkpointing through conn. restart (may be nil) is called after a
// checkpoint that emptied the log (see above). onError (may be nil) hears of a
// failed checkpoint or restart (a full disk); a checkpoint is tried again after the
// next commit, and the connections' backstop bounds the WAL meanwhile.
func Start(conn *sql.DB, restart func(context.Context) error, onError func(error)) *Checkpointer {
	return StartWith(conn, Default, restart, onError)
}

// StartWith is Start with a policy of its own.
func StartWith(conn *sql.DB, policy Policy, restart func(context.Context) error, onError func(error)) *Checkpointer {
	c := &Checkpointer{conn: conn, policy: policy, restart: restart, onError: onError, wrote: make(chan struct{}, 1),
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
		c.checkpoint()
		if !c.sleep(c.policy.Every) {
			return
		}
	}
}

// checkpoint runs one PASSIVE checkpoint and, when it emptied the log, the restart.
func (c *Checkpointer) checkpoint() {
	ctx := context.Background()
	var busy, logged, moved int
	err := c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &moved)
	if err == nil {
		c.runs.Add(1)
		if c.restart != nil && busy == 0 && logged > 0 && moved == logged {
			err = c.restart(ctx)
		}
	}
	if err != nil && c.onError != nil {
		c.onError(err)
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
