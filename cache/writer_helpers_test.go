package cache

import (
	"context"
	"database/sql"
)

// Tests reach the writing connection directly (pragmas, damage, fixtures) through
// these, each outside any write transaction (writer.exclusive).

func (w *writer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := w.exclusive(ctx, func(conn *sql.Conn) error {
		var err error
		res, err = conn.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

func (w *writer) Exec(query string, args ...any) (sql.Result, error) {
	return w.ExecContext(context.Background(), query, args...)
}

// writerRow is a single-row query run when it is scanned.
type writerRow struct {
	w     *writer
	ctx   context.Context
	query string
	args  []any
}

func (r writerRow) Scan(dest ...any) error {
	return r.w.exclusive(r.ctx, func(conn *sql.Conn) error {
		return conn.QueryRowContext(r.ctx, r.query, r.args...).Scan(dest...)
	})
}

func (w *writer) QueryRowContext(ctx context.Context, query string, args ...any) writerRow {
	return writerRow{w: w, ctx: ctx, query: query, args: args}
}

func (w *writer) QueryRow(query string, args ...any) writerRow {
	return w.QueryRowContext(context.Background(), query, args...)
}
