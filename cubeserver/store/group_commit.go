package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Group commit: the chat hot path writes one small transaction per stored message and
// per chat marker, and with the statements prepared most of their cost is the commit
// (writing the touched pages to the WAL). Writes that arrive while another commit is
// under way wait in line anyway; the committer takes everything waiting and runs it
// in one transaction, each write inside its own savepoint, so one write's failure
// undoes only that write. Every caller still returns after its write is committed
// (or failed): nothing is acknowledged early. A write that finds no one else waiting
// runs alone, exactly as tx would run it.
//
// Waiting in line alone gathered little while each connection stored one message at a
// time (xmppd now pipelines them, xmppd/pipeline.go): with two cores the next writes
// were still being parsed when the committer looked, so groups stayed at 3–4 writes
// with 50 busy senders and most of the cost was per commit (docs/benchmarks.md); a
// client that waits for each answer still writes that way. So while writes come from several
// callers (a write was already waiting when the committer came back, or recent groups
// held more than one and a half writes on average), the committer lingers: it keeps
// taking writes that arrive within lingerGap of each other, for at most maxLinger. A
// lone writer does not wait: its groups are of one, and nobody is waiting when the
// committer comes back for its next write.
//
// A group first runs without savepoints, since a write that fails is rare and the
// savepoints cost two statements and a statement journal per write. When a write of
// that attempt fails, the transaction is rolled back and the group runs again, each
// write in its own savepoint, so only the failing write is undone. Writes must
// therefore be safe to run twice (their first run is always rolled back entirely).

// maxGroupWrites bounds one group, so that the first writer of a long queue does not
// wait for an unbounded transaction.
const maxGroupWrites = 64

// queuedWrites bounds the writes waiting for the committer; beyond it callers wait to
// queue theirs.
const queuedWrites = 256

// lingerGap and maxLinger bound how long a group waits for more writes while there is
// concurrency: the longest pause between two arrivals, and the longest wait in all.
const (
	lingerGap = 200 * time.Microsecond
	maxLinger = 2 * time.Millisecond
)

// groupWrite is one caller's write, waiting for its group.
type groupWrite struct {
	ctx context.Context
	fn  func(ctx context.Context, tx *writeTx) error
	err chan error // buffered: the committer never blocks on a caller
}

// groupCommitter runs grouped writes on one goroutine (started by Open, stopped by
// Close).
type groupCommitter struct {
	// queue holds the writes not yet taken; buffered, so that a connection can queue
	// its next write while the committer commits the previous one.
	queue chan *groupWrite
	stop  chan struct{}
	done  chan struct{}
	// now and after are time.Now and time.After; tests replace them to decide when a
	// linger ends.
	now   func() time.Time
	after func(time.Duration) <-chan time.Time

	groups, writes atomic.Int64 // committed so far (Stats)
}

func newGroupCommitter() *groupCommitter {
	return &groupCommitter{queue: make(chan *groupWrite, queuedWrites), stop: make(chan struct{}), done: make(chan struct{}),
		now: time.Now, after: time.After}
}

// GroupCommitStats tells how many grouped transactions ran and how many writes they
// held: writes/groups is the mean group size.
func (s *Store) GroupCommitStats() (groups, writes int64) {
	return s.group.groups.Load(), s.group.writes.Load()
}

// txGroupedAsync queues fn to run in a write transaction, possibly shared with other
// grouped writes, and returns at once; wait blocks until that transaction has committed
// (or failed) and returns fn's outcome. fn must only touch the database through tx and
// must not depend on its ctx being the caller's: it runs with the caller's values but
// without its cancellation, so that one caller giving up cannot interrupt (and so roll
// back) a transaction that holds other callers' writes. A caller whose ctx is done
// before its write starts gets ctx.Err() and nothing is written. Writes queued by one
// goroutine are committed in the order it queued them, so a connection may queue its
// next message before the previous one has committed and still keep their order.
func (s *Store) txGroupedAsync(ctx context.Context, fn func(ctx context.Context, tx *writeTx) error) (wait func() error) {
	g := s.group
	w := &groupWrite{ctx: ctx, fn: fn, err: make(chan error, 1)}
	select {
	case g.queue <- w:
	case <-ctx.Done():
		err := ctx.Err()
		return func() error { return err }
	case <-g.stop:
		return func() error { return errStoreClosed }
	}
	// Once queued, the write is committed or fails with its group; waiting for the
	// outcome (bounded by the groups ahead of it) keeps the answer truthful. A write
	// still queued when the committer stopped never ran.
	return func() error {
		select {
		case err := <-w.err:
			return err
		case <-g.done:
			select {
			case err := <-w.err:
				return err
			default:
				return errStoreClosed
			}
		}
	}
}

var errStoreClosed = fmt.Errorf("store: closed: %w", sql.ErrConnDone)

// runGroups takes writes off the queue until stop, in groups (see gather).
func (s *Store) runGroups() {
	g := s.group
	defer close(g.done)
	// busy is a moving average of the group sizes, in sixteenths of a write: one
	// group of one after many larger ones does not stop the lingering.
	busy := int64(16)
	for {
		var first *groupWrite
		waiting := true // a write was already waiting: writers overlap
		select {
		case first = <-g.queue:
		default:
			waiting = false
			select {
			case first = <-g.queue:
			case <-g.stop:
				return
			}
		}
		batch := g.gather(first, waiting || busy >= 24)
		busy += (int64(len(batch))*16 - busy) / 4
		g.groups.Add(1)
		g.writes.Add(int64(len(batch)))
		s.commitGroup(batch)
	}
}

// gather makes a group from first and the writes waiting; with linger, also from the
// writes that arrive within lingerGap of the last one, until maxLinger after the start.
func (g *groupCommitter) gather(first *groupWrite, linger bool) []*groupWrite {
	batch := []*groupWrite{first}
	deadline := g.now().Add(maxLinger)
	for len(batch) < maxGroupWrites {
		select {
		case w := <-g.queue:
			batch = append(batch, w)
			continue
		default:
		}
		wait := min(lingerGap, deadline.Sub(g.now()))
		if !linger || wait <= 0 {
			return batch
		}
		select {
		case w := <-g.queue:
			batch = append(batch, w)
		case <-g.after(wait):
			return batch
		case <-g.stop:
			return batch // committed before the committer stops
		}
	}
	return batch
}

// commitGroup runs the writes of one group in one transaction and answers each: first
// without savepoints, and again with one per write when a write failed.
func (s *Store) commitGroup(batch []*groupWrite) {
	errs := make([]error, len(batch))
	failed := errors.New("store: a grouped write failed") // rolls back the first attempt
	err := s.writeTx(context.Background(), func(tx *writeTx) error {
		for i, w := range batch {
			if errs[i] = w.ctx.Err(); errs[i] != nil {
				continue // given up before it started: write nothing
			}
			if errs[i] = w.fn(context.WithoutCancel(w.ctx), tx); errs[i] != nil {
				if len(batch) == 1 {
					return errs[i] // alone: its error rolls back the transaction, as tx does
				}
				return failed
			}
		}
		return nil
	})
	if errors.Is(err, failed) {
		err = s.commitWithSavepoints(batch, errs)
	}
	for i, w := range batch {
		if errs[i] != nil {
			w.err <- errs[i] // its own failure (nothing of it was committed)
		} else {
			w.err <- err // nil when the group committed
		}
	}
}

// commitWithSavepoints runs the group again, each write in its own savepoint, so that
// one write's failure undoes only that write; errs receives each write's outcome.
func (s *Store) commitWithSavepoints(batch []*groupWrite, errs []error) error {
	return s.writeTx(context.Background(), func(tx *writeTx) error {
		q := s.prepTx(tx)
		for i, w := range batch {
			if errs[i] = w.ctx.Err(); errs[i] != nil {
				continue
			}
			ctx := context.WithoutCancel(w.ctx)
			if _, err := q.ExecContext(ctx, `SAVEPOINT group_write`); err != nil {
				return err
			}
			if errs[i] = w.fn(ctx, tx); errs[i] != nil {
				if _, err := q.ExecContext(ctx, `ROLLBACK TO group_write`); err != nil {
					return err
				}
			}
			if _, err := q.ExecContext(ctx, `RELEASE group_write`); err != nil {
				return err
			}
		}
		return nil
	})
}

// close stops the committer after the group in progress; later writes fail.
func (g *groupCommitter) close() {
	select {
	case <-g.stop:
	default:
		close(g.stop)
	}
	<-g.done
}
