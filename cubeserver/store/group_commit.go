package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Group commit: the chat hot path writes one small transaction per stored message and
// per chat marker, and with the statements prepared most of their cost is the commit
// (writing the touched pages to the WAL). Writes that arrive while another commit is
// under way wait in line anyway; the committer takes everything waiting and runs it
// in one transaction, each write inside its own savepoint, so one write's failure
// undoes only that write. Every caller still returns after its write is committed
// (or failed): nothing is acknowledged early. A write that finds no one else waiting
// runs alone, exactly as tx would run it.

// maxGroupWrites bounds one group, so that the first writer of a long queue does not
// wait for an unbounded transaction.
const maxGroupWrites = 64

// groupWrite is one caller's write, waiting for its group.
type groupWrite struct {
	ctx context.Context
	fn  func(ctx context.Context, tx *sql.Tx) error
	err chan error // buffered: the committer never blocks on a caller
}

// groupCommitter runs grouped writes on one goroutine (started by Open, stopped by
// Close).
type groupCommitter struct {
	queue chan *groupWrite // unbuffered: a write is either taken or still its caller's
	stop  chan struct{}
	done  chan struct{}
}

func newGroupCommitter() *groupCommitter {
	return &groupCommitter{queue: make(chan *groupWrite), stop: make(chan struct{}), done: make(chan struct{})}
}

// txGrouped runs fn in a write transaction, possibly shared with other grouped writes,
// and returns once that transaction has committed. fn must only touch the database
// through tx and must not depend on its ctx being the caller's: it runs with the
// caller's values but without its cancellation, so that one caller giving up cannot
// interrupt (and so roll back) a transaction that holds other callers' writes. A
// caller whose ctx is done before its write starts gets ctx.Err() and nothing is
// written.
func (s *Store) txGrouped(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, err: make(chan error, 1)}
	select {
	case s.group.queue <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.group.stop:
		return fmt.Errorf("store: closed: %w", sql.ErrConnDone)
	}
	// Once taken, the write is committed or fails with its group; waiting for the
	// outcome (bounded by one group's transaction) keeps the answer truthful.
	return <-w.err
}

// runGroups takes writes off the queue until stop, in groups of whatever is waiting.
func (s *Store) runGroups() {
	g := s.group
	defer close(g.done)
	for {
		var first *groupWrite
		select {
		case first = <-g.queue:
		case <-g.stop:
			return
		}
		batch := []*groupWrite{first}
	gather:
		for len(batch) < maxGroupWrites {
			select {
			case w := <-g.queue:
				batch = append(batch, w)
			default:
				break gather
			}
		}
		s.commitGroup(batch)
	}
}

// commitGroup runs the writes of one group in one transaction and answers each.
func (s *Store) commitGroup(batch []*groupWrite) {
	errs := make([]error, len(batch))
	err := s.tx(context.Background(), func(tx *sql.Tx) error {
		q := s.prepTx(tx)
		for i, w := range batch {
			if errs[i] = w.ctx.Err(); errs[i] != nil {
				continue // given up before it started: write nothing
			}
			ctx := context.WithoutCancel(w.ctx)
			if len(batch) == 1 {
				errs[i] = w.fn(ctx, tx)
				return errs[i] // alone: its error rolls back the transaction, as tx does
			}
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
	for i, w := range batch {
		if errs[i] != nil {
			w.err <- errs[i] // its own failure (its savepoint was rolled back)
		} else {
			w.err <- err // nil when the group committed
		}
	}
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
