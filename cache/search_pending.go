package cache

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cubechat/cubechat/internal/quietgap"
)

// Deferred search indexing. Writing a message's search entry was half the cost of
// storing one live message: FTS5 writes a new index segment at every commit
// (docs/benchmarks.md, issue 10). So the live path (StoreLive, and queueing a
// message the user composed) stores a new row's pk in fts_pending instead, in the
// same transaction; the indexer writes the entries of everything pending a moment
// later, many in one transaction, and every search first writes whatever is still
// pending, so a search never misses a stored message. After a crash the table is
// still there: the next session's indexer (or first search) writes them. While a
// row is pending, changes of its text leave the index alone (the indexer reads
// the text as it is then), and removing it only drops its pending row.

const (
	// indexDelay is how long the indexer lets pending rows gather after a wake.
	indexDelay = 100 * time.Millisecond
	// indexBatch bounds the rows one indexing transaction writes.
	indexBatch = 1000
	// bulkQuiet is how long the indexer waits after the last bulk insert
	// (messages_bulk.go): a catch-up's pages keep the writer busy, and their search
	// entries are written once it is done, not in between.
	bulkQuiet = 300 * time.Millisecond
	// Then it waits for a gap of indexQuiet without a commit, at most indexLongest:
	// a message's writes come in a burst of a few milliseconds, and an index run (a
	// few hundred µs of one core, cold) started inside one delayed that message
	// (docs/benchmarks.md, "Issue 10, live path, round 6").
	indexQuiet   = 5 * time.Millisecond
	indexLongest = 100 * time.Millisecond
)

// indexer writes the pending search entries in the background (started by Open,
// stopped by Close).
type indexer struct {
	wake     chan struct{} // buffered: a wake while one waits is the same wake
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
	// queued counts rows made pending (their transaction may yet roll back: then
	// indexing just finds nothing); indexed is the count the last complete run
	// saw before it started. A search indexes first while they differ.
	queued, indexed atomic.Uint64
	// bulkAt is when the last bulk insert left entries pending (unix nanoseconds).
	bulkAt atomic.Int64
	// committed is signalled after every commit (DB.committed).
	committed chan struct{}
}

// startIndexer starts the indexer, waking it at once when the file holds rows
// left pending by an earlier session.
func (db *DB) startIndexer(ctx context.Context) error {
	db.idx = &indexer{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		committed: make(chan struct{}, 1)}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM fts_pending`).Scan(&n); err != nil {
		return db.read("count pending search entries", err)
	}
	if n > 0 {
		db.idx.queued.Store(1)
		db.wakeIndexer()
	}
	go db.runIndexer()
	return nil
}

// stopIndexer stops the indexer after the run in progress; rows still pending
// stay in the file for the next session.
func (db *DB) stopIndexer() {
	if db.idx == nil {
		return
	}
	db.idx.stopOnce.Do(func() { close(db.idx.stop) })
	<-db.idx.done
}

// wakeIndexer tells the indexer that rows are pending.
func (db *DB) wakeIndexer() {
	select {
	case db.idx.wake <- struct{}{}:
	default:
	}
}

func (db *DB) runIndexer() {
	x := db.idx
	defer close(x.done)
	gather := time.NewTimer(time.Hour)
	gather.Stop()
	defer gather.Stop()
	for {
		select {
		case <-x.stop:
			return
		case <-x.wake:
		}
		gather.Reset(indexDelay)
		select {
		case <-x.stop:
			return
		case <-gather.C:
		}
		for wait := bulkQuiet - time.Since(time.Unix(0, x.bulkAt.Load())); wait > 0; wait = bulkQuiet - time.Since(time.Unix(0, x.bulkAt.Load())) {
			gather.Reset(wait)
			select {
			case <-x.stop:
				return
			case <-gather.C:
			}
		}
		if !quietgap.Await(x.committed, x.stop, indexQuiet, indexLongest) {
			return
		}
		if err := db.indexPending(context.Background()); err != nil {
			// The rows stay pending: the next wake, or a search, tries again.
			slog.Warn("cache: writing pending search entries", "path", db.path, "err", err)
		}
	}
}

// indexPending writes the search entry of every pending row.
func (db *DB) indexPending(ctx context.Context) error {
	x := db.idx
	seen := x.queued.Load()
	for {
		n := 0
		err := db.writeBackground(ctx, "write pending search entries", func(tx *txn, _ *Change) error {
			// The batch is the lowest pending pks; its entries are written and its
			// rows dropped by one statement each (set-based: a statement per row was
			// most of the cost of indexing a catch-up's 100,000 rows).
			n = 0
			var last sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT MAX(pk), COUNT(*) FROM
				(SELECT pk FROM fts_pending ORDER BY pk LIMIT ?)`, indexBatch).Scan(&last, &n); err != nil {
				return err
			}
			if n == 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO messages_fts (rowid, body)
				SELECT m.pk, CASE WHEN m.deleted THEN '' ELSE m.body END
				FROM fts_pending p JOIN messages m ON m.pk = p.pk WHERE p.pk <= ? ORDER BY p.pk`, last.Int64); err != nil {
				return fmt.Errorf("index rows up to %d: %w", last.Int64, err)
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM fts_pending WHERE pk <= ?`, last.Int64)
			return err
		})
		if err != nil {
			return err
		}
		if n < indexBatch {
			break
		}
	}
	for {
		old := x.indexed.Load()
		if old >= seen || x.indexed.CompareAndSwap(old, seen) {
			return nil
		}
	}
}

// indexForSearch writes pending search entries before a search reads the index.
// A failure leaves the search to run over what is indexed.
func (db *DB) indexForSearch(ctx context.Context) {
	if db.idx.queued.Load() == db.idx.indexed.Load() {
		return
	}
	if err := db.indexPending(ctx); err != nil {
		slog.Warn("cache: writing pending search entries before a search", "path", db.path, "err", err)
	}
}

// deferIndex makes the writer leave the search entries of the rows it inserts
// pending (see above); the caller wakes the indexer once the write is done.
func (w *messageWriter) deferIndex(x *indexer) *messageWriter {
	w.pending = x
	return w
}

// indexNew writes the search entry of a new row, or leaves it pending.
func (w *messageWriter) indexNew(pk int64, text string) error {
	if w.pending != nil {
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO fts_pending (pk) VALUES (?)`, pk); err != nil {
			return err
		}
		w.pending.queued.Add(1)
		return nil
	}
	_, err := w.ftsAdd.ExecContext(w.ctx, pk, text)
	return err
}

// isPending tells whether a row's search entry is still to be written.
func (w *messageWriter) isPending(pk int64) (bool, error) {
	var n int
	err := w.tx.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM fts_pending WHERE pk = ?`, pk).Scan(&n)
	return n > 0, err
}

// unindex removes a row's search entry (text is what it indexed), or its pending
// row when it has no entry yet.
func (w *messageWriter) unindex(pk int64, text string) error {
	pending, err := w.isPending(pk)
	if err != nil {
		return err
	}
	if pending {
		_, err = w.tx.ExecContext(w.ctx, `DELETE FROM fts_pending WHERE pk = ?`, pk)
		return err
	}
	_, err = w.ftsDel.ExecContext(w.ctx, pk, text)
	return err
}
