package cache

import (
	"context"
	"fmt"
	"sync"
)

// Group commit. Every write is one transaction on the single writing connection,
// and on the live path most of a small write's cost is its commit (the WAL pages,
// the search index's flush). Writes that arrive while another is under way wait
// for the connection anyway: the first of them then commits everything waiting in
// one transaction, each write inside its own savepoint, so that one write's failure
// undoes only that write. Every caller still returns only once its own write has
// committed (or failed): nothing is acknowledged early. A write that finds no one
// else waiting runs alone, exactly as before. (cubeserver/store/group_commit.go
// does the same for the server; here a waiting writer leads the next group itself,
// so no goroutine is needed.)

// maxGroupWrites bounds one group, so that its first writer does not wait for an
// unbounded transaction.
const maxGroupWrites = 64

// groupedWrite is one caller's write waiting for, or in, a group.
type groupedWrite struct {
	ctx  context.Context
	what string
	fn   func(tx *txn, ch *Change) error
	// background: bookkeeping the user does not wait for (writeBackground).
	background bool
	err        error
	// done and lead exist only for a write that queued behind another (the rest
	// run alone at once and need neither).
	done chan struct{} // closed once err is final
	lead chan struct{} // signalled when this write must lead the next group
}

// finish makes w's error final.
func (w *groupedWrite) finish() {
	if w.done != nil {
		close(w.done)
	}
}

// writeGroups queues writes for the connection.
type writeGroups struct {
	mu      sync.Mutex
	waiting []*groupedWrite
	leading bool // a writer is committing a group, or about to
	grouped int  // writes that ran in a group of several, for tests
}

// write runs fn in a write transaction (possibly shared with other waiting writes)
// and, once it has committed, publishes what fn recorded in the change. On any
// error nothing of fn's is written or published.
func (db *DB) write(ctx context.Context, what string, fn func(tx *txn, ch *Change) error) error {
	return db.enqueueWrite(&groupedWrite{ctx: ctx, what: what, fn: fn})
}

// writeBackground is write for bookkeeping that nobody waits for on screen (a
// message's ticks, search entries): its transaction lets other runnable goroutines
// go first at each statement (txn.yield), so that a message arriving meanwhile is
// read, stored and shown before the rest of it.
func (db *DB) writeBackground(ctx context.Context, what string, fn func(tx *txn, ch *Change) error) error {
	return db.enqueueWrite(&groupedWrite{ctx: ctx, what: what, fn: fn, background: true})
}

// enqueueWrite runs w alone, or in a group with the writes waiting with it.
func (db *DB) enqueueWrite(w *groupedWrite) error {
	g := &db.groups
	g.mu.Lock()
	if g.leading {
		w.done, w.lead = make(chan struct{}), make(chan struct{}, 1)
	}
	g.waiting = append(g.waiting, w)
	if g.leading {
		g.mu.Unlock()
		select {
		case <-w.done: // committed (or failed) in someone else's group
			return w.err
		case <-w.lead: // first in line: lead the next group
		}
		g.mu.Lock()
	}
	g.leading = true
	n := min(len(g.waiting), maxGroupWrites)
	batch := g.waiting[:n:n]
	g.waiting = g.waiting[n:]
	g.mu.Unlock()

	if len(batch) == 1 {
		db.writeAlone(w)
	} else {
		db.writeGroup(batch)
	}

	g.mu.Lock()
	if len(batch) > 1 {
		g.grouped += len(batch)
	}
	if len(g.waiting) > 0 {
		g.waiting[0].lead <- struct{}{} // hand over; leading stays true
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return w.err
}

// writeAlone runs one write in its own transaction. A caller that gave up before
// it started gets the context's error; once started, it runs to its end
// (writer.go).
func (db *DB) writeAlone(w *groupedWrite) {
	defer w.finish()
	if err := w.ctx.Err(); err != nil {
		w.err = db.classify(w.what, err)
		return
	}
	tx, err := db.w.begin(w.ctx)
	if err != nil {
		w.err = db.classify(w.what, err)
		return
	}
	tx.yield = w.background
	var ch Change
	if err := w.fn(tx, &ch); err != nil {
		tx.rollback()
		w.err = db.classify(w.what, err)
		return
	}
	if err := tx.commit(); err != nil {
		w.err = db.classify(w.what, err)
		return
	}
	db.committed()
	db.publishChange(ch)
}

// writeGroup runs several writes in one transaction, each in a savepoint, and
// answers each. Like every write, they run without their callers' cancellation
// (writer.go), which matters doubly here: one caller giving up must not interrupt
// a transaction that holds the others' writes. A write whose caller gave up before
// it started writes nothing and gets the context's error.
func (db *DB) writeGroup(batch []*groupedWrite) {
	defer func() {
		for _, w := range batch {
			w.finish()
		}
	}()
	ctx := context.Background()
	tx, err := db.w.begin(ctx)
	if err != nil {
		for _, w := range batch {
			w.err = db.classify(w.what, err)
		}
		return
	}
	tx.yield = true
	for _, w := range batch {
		tx.yield = tx.yield && w.background
	}
	changes := make([]Change, len(batch))
	var fatal error // the transaction itself failed: nothing is written
	for i, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.err = db.classify(w.what, err)
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT group_write`); err != nil {
			fatal = err
			break
		}
		if err := w.fn(tx, &changes[i]); err != nil {
			w.err = db.classify(w.what, err)
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO group_write`); rerr != nil {
				// SQLite rolled the whole transaction back (a full disk can): the
				// others' writes are gone too, for the same reason.
				fatal = err
				break
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE group_write`); err != nil {
			fatal = err
			break
		}
	}
	if fatal == nil {
		fatal = tx.commit()
	}
	if fatal != nil {
		tx.rollback()
		for _, w := range batch {
			if w.err == nil {
				w.err = db.classify(w.what, fmt.Errorf("written together with other writes: %w", fatal))
			}
		}
		return
	}
	db.committed()
	var all Change
	for i, w := range batch {
		if w.err == nil {
			all = merge(all, changes[i])
		}
	}
	db.publishChange(all)
}
