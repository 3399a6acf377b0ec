package store

import (
	"context"
	"database/sql"
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
	err := s.tx(ctx, func(tx *sql.Tx) error {
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

// Within one write transaction a statement is bound to it once, however many writes of
// a group run it; the next transaction binds its own.
func TestStatementsBoundOncePerTransaction(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const q = `SELECT COUNT(*) FROM users`
	var first, again, next *sql.Stmt
	if err := s.tx(ctx, func(tx *sql.Tx) error {
		first, again = s.prepTx(tx).stmt(ctx, q), s.prepTx(tx).stmt(ctx, q)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if first == nil || first != again {
		t.Fatalf("bound %p then %p within one transaction", first, again)
	}
	if err := s.tx(ctx, func(tx *sql.Tx) error {
		next = s.prepTx(tx).stmt(ctx, q)
		var n int
		return next.QueryRowContext(ctx).Scan(&n) // usable: bound to this transaction
	}); err != nil {
		t.Fatal(err)
	}
	if next == first {
		t.Fatal("a new transaction reused the last one's statement")
	}
}
