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

// cached returns query's statement if it is already prepared, without preparing.
func (c *stmtCache) cached(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// txn is one write transaction whose query methods run the writer's cached
// prepared statements (bound to the transaction once per text).
//
// The writer has a single connection, which the transaction holds: a statement
// cannot be prepared on the shared cache while it runs. A text met for the first
// time is prepared on the transaction alone and remembered in missed; write
// prepares those on the shared cache once the transaction has ended.
type txn struct {
	*sql.Tx
	shared *stmtCache
	bound  map[string]*sql.Stmt
	missed []string
	// noCancel: the transaction holds several callers' writes (group_commit.go), so
	// no caller's cancellation may interrupt its statements.
	noCancel bool
}

// ctxFor is the context a statement of the transaction runs with.
func (t *txn) ctxFor(ctx context.Context) context.Context {
	if t.noCancel {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// stmt returns the transaction's statement for query.
func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.bound[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if shared := t.shared.cached(query); shared != nil {
		// Already prepared on the writer's connection: binding compiles nothing.
		st = t.Tx.StmtContext(ctx, shared)
	} else {
		var err error
		if st, err = t.Tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		t.missed = append(t.missed, query)
	}
	if t.bound == nil {
		t.bound = map[string]*sql.Stmt{}
	}
	t.bound[query] = st // released with the transaction
	return st, nil
}

// prepareMissed prepares on the shared cache the texts the transaction met first;
// it runs after the transaction, when the writer's connection is free again. A
// failure only leaves the text to be prepared again next time.
func (db *DB) prepareMissed(ctx context.Context, t *txn) {
	for _, q := range t.missed {
		_, _ = db.ws.get(ctx, q)
	}
}

// ExecContext runs query as a cached prepared statement.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.ctxFor(ctx)
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs query as a cached prepared statement.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.ctxFor(ctx)
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query as a cached prepared statement.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.ctxFor(ctx)
	st, err := t.stmt(ctx, query)
	if err != nil {
		// The failed prepare shows up again, as the row's error.
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// PrepareContext returns a statement for query bound to the transaction (the
// shared one when cached); closing it releases only the binding. Run it with
// ctxFor's context.
func (t *txn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	ctx = t.ctxFor(ctx)
	shared := t.shared.cached(query)
	if shared == nil {
		st, err := t.Tx.PrepareContext(ctx, query)
		if err == nil {
			t.missed = append(t.missed, query)
		}
		return st, err
	}
	return t.Tx.StmtContext(ctx, shared), nil
}
