package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// database/sql with modernc.org/sqlite compiles the SQL text again on every call that
// is not a prepared statement, and for the server's hot queries (routing, storing a
// message, markers) that compilation was most of the CPU (docs/benchmarks.md). The
// cache below keeps one *sql.Stmt per fixed SQL text; database/sql then prepares it at
// most once per pooled connection and reuses it.

// maxCachedStmts bounds the cache. Only fixed SQL texts should go through it, but a
// caller that builds text from input (IN lists of any length) must not grow it without
// end: beyond the bound, statements run unprepared, as before.
const maxCachedStmts = 256

// stmtCache maps SQL text to its prepared statement on db.
type stmtCache struct {
	db *sql.DB

	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	closed bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// errCacheFull tells the caller to run the query unprepared.
var errCacheFull = errors.New("store: statement cache full")

// get returns the prepared statement of query, preparing it on first use.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= maxCachedStmts
	closed := c.closed
	c.mu.Unlock()
	switch {
	case ok:
		return st, nil
	case closed:
		return nil, sql.ErrConnDone
	case full:
		return nil, errCacheFull
	}
	// Prepared outside the lock: a slow prepare must not hold up every other query.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[query]; ok || c.closed || len(c.stmts) >= maxCachedStmts {
		// Another goroutine won the race, or the store closed meanwhile: keep one.
		_ = st.Close()
		if ok {
			return old, nil
		}
		return nil, errCacheFull
	}
	c.stmts[query] = st
	return st, nil
}

// close closes every cached statement; later gets fail.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return closeStmts(c.stmts)
}

// closeStmts closes and forgets every statement of stmts.
func closeStmts(stmts map[string]*sql.Stmt) error {
	var errs []error
	for q, st := range stmts {
		errs = append(errs, st.Close())
		delete(stmts, q)
	}
	return errors.Join(errs...)
}

// prepared is a queryer that runs its SQL as prepared statements: the pool's
// cached ones (tx == nil) or, inside a write transaction, the writing connection's.
// Use it only for SQL whose text does not depend on input. When a statement cannot
// be prepared (cache full, or a prepare error) the call falls back to the plain
// query, which reports the same error a caller would have seen.
type prepared struct {
	cache *stmtCache
	plain queryer // s.db or tx, for the fallback
	tx    *writeTx
}

// prep returns the cached-statement queryer of the database.
func (s *Store) prep() prepared { return prepared{cache: s.stmts, plain: s.db} }

// prepTx returns the cached-statement queryer for use inside tx, the write
// transaction in progress.
func (s *Store) prepTx(tx *writeTx) prepared { return prepared{plain: tx, tx: tx} }

// stmt returns the statement to run query with, or nil to run it unprepared.
func (p prepared) stmt(ctx context.Context, query string) *sql.Stmt {
	if p.tx != nil {
		return p.tx.w.stmt(ctx, query)
	}
	st, err := p.cache.get(ctx, query)
	if err != nil {
		return nil
	}
	return st
}

func (p prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.plain.QueryContext(ctx, query, args...)
}

func (p prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.plain.QueryRowContext(ctx, query, args...)
}

func (p prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.plain.ExecContext(ctx, query, args...)
}
