package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
)

// The writing connection. Every write transaction runs on one connection the store
// holds from its first write on, with BEGIN IMMEDIATE … COMMIT of its own and the
// hot statements prepared on it once, rather than in a database/sql sql.Tx: a
// sql.Tx starts a goroutine to watch itself and another for each query run in it,
// and binds each cached statement to itself again, ~2.4 KB of garbage and four
// goroutines per live message between a message's and its marker's writes
// (docs/benchmarks.md, issue 10, round 8). Writes are admitted one at a time
// (Store.lockWriter), so the connection is never shared.
//
// A failed transaction is rolled back; a connection that cannot even roll back is
// closed, and the next write takes a fresh one from the pool, so no write ever
// starts inside another's transaction.

// writeConn is the store's writing connection and the statements prepared on it.
// Only the holder of the write turn touches it.
type writeConn struct {
	conn   *sql.Conn            // nil until the first write, and after a failure discarded it
	stmts  map[string]*sql.Stmt // prepared on conn
	closed bool
}

// acquire returns the held connection, taking one from pool first if needed.
func (w *writeConn) acquire(ctx context.Context, pool *sql.DB) (*sql.Conn, error) {
	if w.closed {
		return nil, errStoreClosed
	}
	if w.conn != nil {
		return w.conn, nil
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w.conn, w.stmts = conn, map[string]*sql.Stmt{}
	return conn, nil
}

// stmt returns query's statement prepared on the connection, preparing it on first
// use; nil runs the text unprepared (the cache is full, or the prepare failed: the
// unprepared run then reports the error).
func (w *writeConn) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := w.stmts[query]; ok {
		return st
	}
	if w.conn == nil || len(w.stmts) >= maxCachedStmts {
		return nil
	}
	st, err := w.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	w.stmts[query] = st
	return st
}

// recover rolls back whatever transaction the connection is in after a failure,
// and discards a connection that cannot.
func (w *writeConn) recover() {
	if w.conn == nil {
		return
	}
	_, err := w.conn.ExecContext(context.Background(), `ROLLBACK`)
	if err == nil || strings.Contains(err.Error(), "no transaction is active") {
		return
	}
	w.discard()
}

// discard closes the statements and the connection; returning ErrBadConn from Raw
// makes database/sql close it instead of putting it back in the pool.
func (w *writeConn) discard() error {
	err := closeStmts(w.stmts)
	_ = w.conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = w.conn.Close() // already closed by Raw: returns sql.ErrConnDone
	w.conn = nil
	return err
}

// close closes the statements and the connection; later writes fail.
func (w *writeConn) close() error {
	w.closed = true
	if w.conn == nil {
		return nil
	}
	err := errors.Join(closeStmts(w.stmts), w.conn.Close())
	w.conn = nil
	return err
}

// writeTx is one write transaction on the writing connection. Its methods run SQL
// text unprepared; Store.prepTx runs the connection's prepared statements.
type writeTx struct {
	w    *writeConn
	conn *sql.Conn
}

func (t *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.conn.ExecContext(ctx, query, args...)
}

func (t *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.conn.QueryContext(ctx, query, args...)
}

func (t *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.QueryRowContext(ctx, query, args...)
}
