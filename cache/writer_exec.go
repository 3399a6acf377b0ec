package cache

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// Statements that return no rows run on the driver's own prepared statement, not
// through database/sql. A *sql.Stmt converts its arguments into a fresh slice,
// wraps the driver's result and takes its locks on every call: about a kilobyte
// of garbage per statement, four statements a live message on each side, and on
// the live path garbage is collections in the middle of a message
// (docs/benchmarks.md, "Issue 10, live path, round 7"). The writer owns its
// connection and runs one statement at a time, so one argument slice serves every
// statement. Arguments are converted exactly as database/sql converts them for a
// driver without a converter of its own (modernc's has none); a statement with a
// sql.NamedArg, which this path does not carry, goes through database/sql.

// directExec is the statement a Raw callback runs: set by exec, read by run.
type directExec struct {
	ctx   context.Context
	query string
	stmt  driver.Stmt // nil: prepare query first
	args  []driver.NamedValue
	res   driver.Result
}

// errConnWentBad stands for a driver.ErrBadConn from a statement. Handed back
// through Raw, that error would make database/sql close the connection at once,
// under the writer's prepared statements; hidden, the write fails, and the
// writer's recovery closes the statements first and then the connection.
var errConnWentBad = errors.New("cache: the writing connection went bad")

// run is the callback handed to sql.Conn.Raw.
func (d *directExec) run(dc any) error {
	if d.stmt == nil {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("cache: the driver cannot prepare statements with a context")
		}
		st, err := prep.PrepareContext(d.ctx, d.query)
		if err != nil {
			return err
		}
		d.stmt = st
	}
	exec, ok := d.stmt.(driver.StmtExecContext)
	if !ok {
		return fmt.Errorf("cache: the driver's statements cannot run with a context")
	}
	res, err := exec.ExecContext(d.ctx, d.args)
	d.res = res
	if errors.Is(err, driver.ErrBadConn) {
		return errConnWentBad
	}
	return err
}

// exec runs query with args on the driver's prepared statement; ok is false when
// an argument needs database/sql or the statement cache is full (the caller then
// runs it through database/sql). Call with mu held.
func (w *writer) exec(ctx context.Context, query string, args []any) (res sql.Result, ok bool, err error) {
	w.args = w.args[:0]
	for i, a := range args {
		if _, named := a.(sql.NamedArg); named {
			return nil, false, nil
		}
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return nil, true, fmt.Errorf("cache: converting argument $%d type: %w", i+1, err)
		}
		w.args = append(w.args, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	st, cached := w.execs[query]
	if !cached && len(w.stmts)+len(w.execs) >= maxCachedStmts {
		return nil, false, nil // the cache is full: run the text unprepared
	}
	w.call = directExec{ctx: ctx, query: query, stmt: st, args: w.args}
	err = w.conn.Raw(w.runCall)
	if !cached && w.call.stmt != nil {
		w.execs[query] = w.call.stmt
	}
	res = w.call.res
	clear(w.args) // drop the references to this statement's values
	w.call = directExec{}
	if err != nil {
		return nil, true, err
	}
	return res, true, nil
}

// execText runs a statement without arguments (BEGIN, COMMIT, ROLLBACK), prepared
// once like the rest. Call with mu held.
func (w *writer) execText(ctx context.Context, query string) (sql.Result, error) {
	if res, ok, err := w.exec(ctx, query, nil); ok {
		return res, err
	}
	return w.conn.ExecContext(ctx, query) // the statement cache is full
}

// closeExecs closes the driver statements; they belong to the connection, so this
// runs inside Raw. Call with mu held, before the connection is closed.
func (w *writer) closeExecs() error {
	if len(w.execs) == 0 {
		return nil
	}
	var first error
	err := w.conn.Raw(func(any) error {
		for q, st := range w.execs {
			if err := st.Close(); err != nil && first == nil {
				first = err
			}
			delete(w.execs, q)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return first
}
