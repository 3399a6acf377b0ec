package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
)

// Past its bound the cache stops growing and queries run unprepared, still correctly.
func TestStmtCacheBoundedFallback(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	q := s.prep()
	for i := range maxCachedStmts + 10 {
		var got int
		if err := q.QueryRowContext(ctx, fmt.Sprintf("SELECT %d + ?", i), 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("query %d = %d, %v", i, got, err)
		}
	}
	s.stmts.mu.Lock()
	n := len(s.stmts.stmts)
	s.stmts.mu.Unlock()
	if n != maxCachedStmts {
		t.Fatalf("cache holds %d statements, want the bound %d", n, maxCachedStmts)
	}
	// Cached statements also run inside transactions.
	err := s.tx(ctx, func(tx *writeTx) error {
		var got int
		if err := s.prepTx(tx).QueryRowContext(ctx, "SELECT 0 + ?", 7).Scan(&got); err != nil || got != 7 {
			return fmt.Errorf("in tx: %d, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A statement that does not compile reports the error, and is not cached.
func TestStmtCacheBadSQL(t *testing.T) {
	s := openTest(t)
	if _, err := s.prep().ExecContext(context.Background(), "UPDATE no_such_table SET x = 1"); err == nil {
		t.Fatal("bad SQL succeeded")
	}
	if len(s.stmts.stmts) != 0 {
		t.Fatalf("a failed prepare was cached: %v", s.stmts.stmts)
	}
}

// A write transaction's statements are prepared once on the writing connection and
// reused by every later transaction; a connection that failed is replaced, with
// statements of its own.
func TestWriteStatementsPreparedOnceOnTheWritingConnection(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const q = `SELECT COUNT(*) FROM users`
	var first, again, next *sql.Stmt
	if err := s.tx(ctx, func(tx *writeTx) error {
		first, again = s.prepTx(tx).stmt(ctx, q), s.prepTx(tx).stmt(ctx, q)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if first == nil || first != again {
		t.Fatalf("prepared %p then %p within one transaction", first, again)
	}
	if err := s.tx(ctx, func(tx *writeTx) error {
		next = s.prepTx(tx).stmt(ctx, q)
		var n int
		return next.QueryRowContext(ctx).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if next != first {
		t.Fatal("the next transaction prepared the statement again")
	}
	release, _ := s.lockWriter(ctx)
	err := s.w.discard()
	release()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.tx(ctx, func(tx *writeTx) error {
		next = s.prepTx(tx).stmt(ctx, q)
		var n int
		return next.QueryRowContext(ctx).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if next == first {
		t.Fatal("a new connection reused the old one's statement")
	}
}

// A failed write is undone, and the next write does not run inside its
// transaction.
func TestFailedWriteIsRolledBack(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	failed := errors.New("failed on purpose")
	err := s.tx(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE wal_restart SET n = 1000`); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("tx = %v", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT n FROM wal_restart`).Scan(&n); err != nil || n == 1000 {
		t.Fatalf("after the failed write n = %d, %v", n, err)
	}
	// The next write commits on its own: it is seen from another connection.
	if err := s.tx(ctx, func(tx *writeTx) error {
		_, err := tx.ExecContext(ctx, `UPDATE wal_restart SET n = 2000`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT n FROM wal_restart`).Scan(&n); err != nil || n != 2000 {
		t.Fatalf("after the next write n = %d, %v", n, err)
	}
	// A write whose context is cancelled before it starts writes nothing.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.tx(cancelled, func(tx *writeTx) error {
		_, err := tx.ExecContext(ctx, `UPDATE wal_restart SET n = 3000`)
		return err
	}); err == nil {
		t.Fatal("a cancelled write ran")
	}
	if err := s.db.QueryRowContext(ctx, `SELECT n FROM wal_restart`).Scan(&n); err != nil || n != 2000 {
		t.Fatalf("after the cancelled write n = %d, %v", n, err)
	}
}
