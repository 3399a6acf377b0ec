package cache

import (
	"context"
	"database/sql"
	"sync"
)

// database/sql with modernc.org/sqlite compiles the SQL text again on every call
// that is not a prepared statement, and SQLite's parser was the largest part of the
// client's CPU (docs/benchmarks.md). Every fixed SQL text the cache runs is therefore
// prepared once and kept: the read pool and the write transactions below look the
// text up in a stmtCache and run the prepared statement. database/sql prepares a
// statement at most once per pooled connection and reuses it from then on.

// maxCachedStmts bounds a cache. Queries whose text is built from input (IN lists
// of any length) bypass it (rawQuery), but should one slip through, the cache stops
// growing at the bound and the rest run unprepared, as before.
const maxCachedStmts = 256

// stmtCache maps SQL text to its prepared statement on one *sql.DB.
type stmtCache struct {
	db *sql.DB

	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	closed bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, preparing it on first use, or nil
// when the cache is full or closed (the caller then runs the text unprepared).
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.stmts[query]
	skip := c.closed || len(c.stmts) >= maxCachedStmts
	c.mu.Unlock()
	if ok || skip {
		return st, nil
	}
	// Prepared outside the lock: a slow prepare must not hold up every other query.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[query]; ok || c.closed || len(c.stmts) >= maxCachedStmts {
		// Another goroutine won the race, or the cache closed or filled meanwhile.
		_ = st.Close()
		return old, nil
	}
	c.stmts[query] = st
	return st, nil
}

// close closes every cached statement; later gets return nil.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var first error
	for q, st := range c.stmts {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.stmts, q)
	}
	return first
}

// readPool is the read-only pool; its query methods run cached prepared statements.
type readPool struct {
	*sql.DB
	stmts *stmtCache
}

func newReadPool(db *sql.DB) *readPool { return &readPool{DB: db, stmts: newStmtCache(db)} }

// QueryContext runs query as a cached prepared statement.
func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return p.DB.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query as a cached prepared statement.
func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.stmts.get(ctx, query)
	if err != nil || st == nil {
		// A failed prepare shows up again, as the row's error, on the unprepared run.
		return p.DB.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// rawQuery runs query unprepared: for text built from input, which must not
// fill the cache.
func (p *readPool) rawQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, query, args...)
}

// txn is one write transaction whose query methods run the writer's cached
// prepared statements (bound to the transaction once per text).
type txn struct {
	*sql.Tx
	shared *stmtCache
	bound  map[string]*sql.Stmt
}

// stmt returns the transaction's copy of query's cached statement, or nil when
// the text is to run unprepared.
func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.bound[query]; ok {
		return st, nil
	}
	shared, err := t.shared.get(ctx, query)
	if err != nil || shared == nil {
		return nil, err
	}
	// The writer has one connection, so the statement is already prepared on it:
	// binding it to the transaction compiles nothing. It is released with the
	// transaction; the shared statement stays.
	st := t.Tx.StmtContext(ctx, shared)
	if t.bound == nil {
		t.bound = map[string]*sql.Stmt{}
	}
	t.bound[query] = st
	return st, nil
}

// ExecContext runs query as a cached prepared statement.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.Tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs query as a cached prepared statement.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.Tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query as a cached prepared statement.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil || st == nil {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// PrepareContext binds query's cached statement to the transaction; closing the
// result releases only that binding, not the shared statement.
func (t *txn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	shared, err := t.shared.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if shared == nil {
		return t.Tx.PrepareContext(ctx, query)
	}
	return t.Tx.StmtContext(ctx, shared), nil
}
