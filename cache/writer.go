package cache

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"runtime"
	"strings"
	"sync"
)

// The writing connection. Every write runs on the writer's one connection, which
// the writer holds from its first write on, with the statements prepared on it and
// transactions of its own (BEGIN IMMEDIATE … COMMIT) rather than database/sql's
// sql.Tx. A sql.Tx bound every cached statement to itself again in each
// transaction and started a watching goroutine for itself and for each of its
// queries, and the driver another for each statement run under a cancellable
// context: some twenty goroutines and 12 KiB of garbage per live message, each new
// goroutine queued ahead of the ones carrying the message (docs/benchmarks.md,
// "Issue 10, live path, round 6"). A write's statements therefore run without its
// caller's cancellation: a write is checked before it starts (group_commit.go) and
// then runs to its end, a few milliseconds at most.
//
// A failed write is rolled back here, whatever SQLite already undid itself; a
// connection that cannot even roll back is closed, and the next write opens a
// fresh one, so no write ever starts inside another's transaction.

// writer owns the writing connection.
type writer struct {
	pool *sql.DB // one connection at most; used directly only before the writer holds it (Open, migrations)

	mu    sync.Mutex             // held for a whole transaction, and by exclusive
	conn  *sql.Conn              // nil until the first write, and after a failure discarded it
	stmts map[string]*sql.Stmt   // queries
	execs map[string]driver.Stmt // statements that return no rows (writer_exec.go)

	args    []driver.NamedValue // the arguments of the statement under way
	call    directExec          // the statement under way, for runCall
	runCall func(any) error     // call.run, made once

	me struct { // the account's user id, once read (txn.accountUserID)
		id    int64
		known bool
	}
}

// maxCachedStmts bounds the statements a connection keeps prepared. Queries whose
// text is built from input (IN lists of any length, multi-row inserts) are
// prepared too, until the bound; past it a text runs unprepared.
const maxCachedStmts = 256

func newWriter(pool *sql.DB) *writer { return &writer{pool: pool} }

// errWriterClosed is the error of a write after Close.
var errWriterClosed = errors.New("cache: the cache is closed")

// acquire returns the held connection, taking it from the pool first if needed.
// Call with mu held.
func (w *writer) acquire(ctx context.Context) (*sql.Conn, error) {
	if w.conn != nil {
		return w.conn, nil
	}
	if w.pool == nil {
		return nil, errWriterClosed
	}
	conn, err := w.pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w.conn, w.stmts, w.execs = conn, map[string]*sql.Stmt{}, map[string]driver.Stmt{}
	if w.runCall == nil {
		w.runCall = w.call.run
	}
	return conn, nil
}

// begin starts a write transaction; the txn must end with commit or rollback.
func (w *writer) begin(ctx context.Context) (*txn, error) {
	w.mu.Lock()
	conn, err := w.acquire(ctx)
	if err != nil {
		w.mu.Unlock()
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	if _, err := w.execText(ctx, `BEGIN IMMEDIATE`); err != nil {
		w.recover(ctx)
		w.mu.Unlock()
		return nil, err
	}
	return &txn{w: w, conn: conn}, nil
}

// commit ends t; on failure it is rolled back.
func (t *txn) commit() error {
	if t.done {
		return errors.New("cache: transaction already ended")
	}
	t.done = true
	defer t.w.mu.Unlock()
	ctx := context.Background()
	t.pause()
	if _, err := t.w.execText(ctx, `COMMIT`); err != nil {
		t.w.recover(ctx)
		return err
	}
	return nil
}

// rollback ends t, undoing everything it wrote; after commit it does nothing.
func (t *txn) rollback() {
	if t.done {
		return
	}
	t.done = true
	defer t.w.mu.Unlock()
	t.w.recover(context.Background())
}

// recover rolls back whatever transaction the connection is in after a failure. A
// connection that cannot roll back (it may still be inside the transaction) is
// closed: the next write opens another. Call with mu held.
func (w *writer) recover(ctx context.Context) {
	w.me.known = false // it may have been read inside the transaction undone
	if w.conn == nil {
		return
	}
	_, err := w.execText(ctx, `ROLLBACK`)
	if err == nil || strings.Contains(err.Error(), "no transaction is active") {
		return
	}
	w.discard()
}

// discard closes the held connection and its statements. Call with mu held.
func (w *writer) discard() {
	_ = w.closeExecs()
	for q, st := range w.stmts {
		_ = st.Close()
		delete(w.stmts, q)
	}
	// Returning ErrBadConn from Raw makes database/sql close the connection
	// instead of putting it back in the pool.
	_ = w.conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = w.conn.Close()
	w.conn = nil
}

// exclusive runs fn on the connection outside any transaction (LimitSize's pragmas).
func (w *writer) exclusive(ctx context.Context, fn func(conn *sql.Conn) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	conn, err := w.acquire(ctx)
	if err != nil {
		return err
	}
	return fn(conn)
}

// close closes the statements and the connection once the write under way ends;
// later writes fail with errWriterClosed. The pool is the caller's to close.
func (w *writer) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	if w.conn != nil {
		errs = append(errs, w.closeExecs())
	}
	for q, st := range w.stmts {
		errs = append(errs, st.Close())
		delete(w.stmts, q)
	}
	if w.conn != nil {
		errs = append(errs, w.conn.Close())
		w.conn = nil
	}
	w.stmts, w.execs, w.pool = nil, nil, nil
	return errors.Join(errs...)
}

// txn is one write transaction on the writer's connection. Its query methods run
// the connection's cached prepared statements, each with a context that cannot
// be cancelled (see above).
type txn struct {
	w    *writer
	conn *sql.Conn
	done bool
	// yield: before each statement, let other runnable goroutines run first
	// (writeBackground). Go does not preempt a goroutine for 10 ms, and a cold
	// write takes a few hundred µs of one core.
	yield bool
}

// pause yields the processor before a statement of a background write.
func (t *txn) pause() {
	if t.yield {
		runtime.Gosched()
	}
}

// ctxFor is the context a statement of the transaction runs with: the caller's
// values without its cancellation (one that cannot be cancelled is kept as it is).
func (t *txn) ctxFor(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// prepared is what every statement of the transaction starts with: the pause of a
// background write, the context to run with, and the cached statement of query
// (nil: run the text unprepared).
func (t *txn) prepared(ctx context.Context, query string) (context.Context, *sql.Stmt, error) {
	t.pause()
	ctx = t.ctxFor(ctx)
	st, err := t.stmt(ctx, query)
	return ctx, st, err
}

// stmt returns the prepared statement of query, preparing it on first use; nil
// when the cache is full (the text then runs unprepared).
func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.w.stmts[query]; ok {
		return st, nil
	}
	if len(t.w.stmts) >= maxCachedStmts {
		return nil, nil
	}
	st, err := t.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.w.stmts[query] = st
	return st, nil
}

// ExecContext runs query as a cached prepared statement, on the driver's own
// (writer_exec.go) unless an argument needs database/sql.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t.pause()
	ctx = t.ctxFor(ctx)
	if res, ok, err := t.w.exec(ctx, query, args); ok {
		return res, err
	}
	st, err := t.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return t.conn.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs query as a cached prepared statement.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, st, err := t.prepared(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return t.conn.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query as a cached prepared statement.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx, st, err := t.prepared(ctx, query)
	if err != nil || st == nil {
		// A failed prepare shows up again, as the row's error.
		return t.conn.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
