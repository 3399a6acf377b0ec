package cache

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkHotPath measures the calls the live path and the screens make most,
// one small transaction or query per op, beside a reference in the same run: a
// raw prepared single-row INSERT in its own transaction on a plain SQLite file
// with the cache's pragmas (the floor for any one-message write).
func BenchmarkHotPath(b *testing.B) {
	ctx := context.Background()
	b.Run("reference-raw-insert", func(b *testing.B) {
		insert := rawSingleInsert(b, "hello there")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := insert(i); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("upsert-one-message", func(b *testing.B) {
		db := hotFixture(b)
		r := rand.New(rand.NewPCG(7, 8))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m := fixtureBatch(r, 1_000_000+i, 1)
			if _, err := db.UpsertMessages(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("enqueue-and-mark-sent", func(b *testing.B) {
		db := hotFixture(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			id := msgID(2_000_000 + i)
			m := Message{ID: id, DialogID: "dialog-00", SenderID: 1, RecipientID: 99, Body: "on my way"}
			if err := db.EnqueueOutgoing(ctx, m); err != nil {
				b.Fatal(err)
			}
			if err := db.MarkSent(ctx, id, time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-marker", func(b *testing.B) {
		db := hotFixture(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := db.AddMarkers(ctx, "dialog-00", []string{msgID(1 + (i%50)*fixtureDialogs)}, int64(100+i), MarkerRead); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("newest-page", func(b *testing.B) {
		db := hotFixture(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if page, err := db.Messages(ctx, "dialog-00", time.Time{}, "", 50); err != nil || len(page) != 50 {
				b.Fatalf("page of %d, %v", len(page), err)
			}
		}
	})
	b.Run("dialog-list", func(b *testing.B) {
		db := hotFixture(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if list, err := db.VisibleDialogs(ctx); err != nil || len(list) != fixtureDialogs {
				b.Fatalf("list of %d, %v", len(list), err)
			}
		}
	})
}

// hotFixture is a fresh cache with the fixture's dialogs and 2,000 messages.
func hotFixture(b *testing.B) *DB {
	b.Helper()
	db := openTest(b)
	ctx := context.Background()
	dialogs := make([]Dialog, fixtureDialogs)
	for i := range dialogs {
		dialogs[i] = Dialog{ID: fmt.Sprintf("dialog-%02d", i), Type: 3, OccupantIDs: []int64{1, 99}}
	}
	if err := db.UpsertDialogs(ctx, dialogs); err != nil {
		b.Fatal(err)
	}
	if _, err := db.UpsertMessages(ctx, fixtureBatch(rand.New(rand.NewPCG(1, 2)), 0, 2000)); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkConfirmBatch settles a confirmed outbox batch of 50 messages: one
// MarkSent transaction per message (the reference, as the outbox did before)
// beside MarkSentAll's one transaction.
func BenchmarkConfirmBatch(b *testing.B) {
	ctx := context.Background()
	const batch = 50
	queue := func(b *testing.B, db *DB, from int) []SentMark {
		b.Helper()
		marks := make([]SentMark, batch)
		for i := range marks {
			id := msgID(3_000_000 + from + i)
			m := Message{ID: id, DialogID: "dialog-01", SenderID: 1, RecipientID: 99, Body: "on my way"}
			if err := db.EnqueueOutgoing(ctx, m); err != nil {
				b.Fatal(err)
			}
			marks[i] = SentMark{ID: id, SentAt: base}
		}
		return marks
	}
	b.Run("reference-mark-sent-each", func(b *testing.B) {
		db := hotFixture(b)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			marks := queue(b, db, i*batch)
			b.StartTimer()
			for _, mk := range marks {
				if err := db.MarkSent(ctx, mk.ID, mk.SentAt); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("mark-sent-all", func(b *testing.B) {
		db := hotFixture(b)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			marks := queue(b, db, i*batch)
			b.StartTimer()
			if err := db.MarkSentAll(ctx, marks); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// rawSingleInsert is the benchmarks' floor for a one-message write: a fresh plain
// SQLite file with the cache's pragmas, and a function that inserts row i (with body)
// through a prepared statement in a transaction of its own.
func rawSingleInsert(b *testing.B, body string) func(i int) error {
	raw, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "raw.db")+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec(`CREATE TABLE m (id TEXT PRIMARY KEY, dialog_id TEXT, body TEXT, sent_at INTEGER)`); err != nil {
		b.Fatal(err)
	}
	ins, err := raw.Prepare(`INSERT INTO m VALUES (?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ins.Close() })
	return func(i int) error {
		tx, err := raw.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Stmt(ins).Exec(msgID(i+1), "d", body, i); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
}
