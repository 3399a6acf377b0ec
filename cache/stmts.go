package cache

import (
	"context"
	"database/sql"
	"sync"
)

// database/sql with modernc.org/sqlite compiles the SQL text again on every call
// that is not a prepared statement, and SQLite's parser was the largest part of the
// client's CPU (docs/benchmarks.md). Every fixed SQL text the cache runs is therefore
// prepared once and kept: the read pool looks the text up in a stmtCache and runs
// the prepared statement (database/sql prepares it at most once per pooled
// connection and reuses it from then on); the writer keeps its own on its one
// connection (writer.go).

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
