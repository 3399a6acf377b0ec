package cache

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"testing"
	"time"
)

// The writer's direct statements (writer_exec.go) store every kind of argument
// exactly as database/sql stores it: the same values go into two tables, one
// through a write, one through database/sql on the read-write pool, and the rows
// must match column for column.
func TestDirectExecStoresArgumentsAsDatabaseSQL(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	type label string
	var nilText *string
	text := "pointed to"
	at := time.Date(2026, 12, 7, 7, 0, 0, 123456789, time.UTC)
	rows := [][]any{
		{int(7), int32(-8), uint8(9), float32(1.5), true, "plain"},
		{label("named string"), []byte{0, 1, 2}, nilText, &text, nil, at},
		{sql.NullString{String: "valid", Valid: true}, sql.NullInt64{}, int64(1) << 62, false, "", strings.Repeat("é", 3)},
	}
	const table = `CREATE TABLE %s (a, b, c, d, e, f)`
	for _, name := range []string{"direct", "reference"} {
		if _, err := db.w.ExecContext(ctx, strings.Replace(table, "%s", name, 1)); err != nil {
			t.Fatal(err)
		}
	}
	err := db.write(ctx, "direct arguments", func(tx *txn, _ *Change) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO direct VALUES (?, ?, ?, ?, ?, ?)`, r...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(db.w.execs); n == 0 {
		t.Fatal("the insert did not run on a direct statement")
	}
	for _, r := range rows {
		if _, err := db.w.ExecContext(ctx, `INSERT INTO reference VALUES (?, ?, ?, ?, ?, ?)`, r...); err != nil {
			t.Fatal(err)
		}
	}
	dump := func(name string) string {
		var out strings.Builder
		err := db.w.exclusive(ctx, func(conn *sql.Conn) error {
			rs, err := conn.QueryContext(ctx, `SELECT quote(a), quote(b), quote(c), quote(d), quote(e), quote(f), typeof(f) FROM `+name+` ORDER BY rowid`)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var cols [7]string
				if err := rs.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6]); err != nil {
					return err
				}
				out.WriteString(strings.Join(cols[:], " | ") + "\n")
			}
			return rs.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got, want := dump("direct"), dump("reference"); got != want {
		t.Fatalf("direct statements stored\n%s\ndatabase/sql stored\n%s", got, want)
	}
}

// An argument database/sql cannot convert fails the write with an error (nothing
// written); a named argument, which the direct path does not carry, still runs.
func TestDirectExecArgumentsItCannotCarry(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	err := db.write(ctx, "a struct argument", func(tx *txn, _ *Change) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (dialog_id, text, updated_at) VALUES ('d1', 'lost', 1)`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO drafts (dialog_id, text, updated_at) VALUES (?, 'x', 1)`, struct{ ID int }{1})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "argument $1") {
		t.Fatalf("write with a struct argument = %v, want a conversion error naming the argument", err)
	}
	if body, err := db.Draft(ctx, "d1"); err != nil || body != "" {
		t.Fatalf("draft d1 after the failed write = %q, %v; want nothing", body, err)
	}
	err = db.write(ctx, "a named argument", func(tx *txn, _ *Change) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO drafts (dialog_id, text, updated_at) VALUES (:id, 'named', 1)`, sql.Named("id", "d2"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if body, err := db.Draft(ctx, "d2"); err != nil || body != "named" {
		t.Fatalf("draft d2 = %q, %v; want the named write", body, err)
	}
}

// badConnStmt is a driver statement whose every run reports a broken connection.
type badConnStmt struct{ driver.Stmt }

func (badConnStmt) ExecContext(context.Context, []driver.NamedValue) (driver.Result, error) {
	return nil, driver.ErrBadConn
}

// A statement that reports the connection broken fails its write without
// database/sql closing the connection under the writer's prepared statements;
// the writer gives the connection up itself, and the next write runs on a new one.
func TestDirectExecBrokenConnection(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.SetDraft(ctx, "d1", "first"); err != nil {
		t.Fatal(err)
	}
	const query = `INSERT INTO drafts (dialog_id, text, updated_at) VALUES ('d2', 'never', 1)`
	err := db.write(ctx, "prepare", func(tx *txn, _ *Change) error {
		_, err := tx.ExecContext(ctx, query)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.w.mu.Lock()
	good := db.w.execs[query]
	db.w.execs[query] = badConnStmt{good}
	db.w.mu.Unlock()
	err = db.write(ctx, "a broken connection", func(tx *txn, _ *Change) error {
		_, err := tx.ExecContext(ctx, query)
		return err
	})
	if err == nil {
		t.Fatal("a write whose statement broke the connection succeeded")
	}
	db.w.mu.Lock()
	if st, ok := db.w.execs[query]; ok {
		db.w.execs[query] = st.(badConnStmt).Stmt // the connection is kept: its statement works again
	}
	db.w.mu.Unlock()
	if err := db.SetDraft(ctx, "d1", "second"); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	if body, err := db.Draft(ctx, "d1"); err != nil || body != "second" {
		t.Fatalf("draft d1 = %q, %v", body, err)
	}
}
