package cache

import (
	"context"
	"testing"
)

// A write binds to its transaction only the statements it runs: storing a new
// message runs the insert (its search entry is left pending), not the lookup,
// update, ranking, index or outbox statements of the writer.
func TestMessageWriterBindsOnlyWhatItRuns(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3, OccupantIDs: []int64{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	var bound []string
	err := db.write(ctx, "test write", func(tx *txn, _ *Change) error {
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		w.deferIndex(db.idx)
		if _, err := w.add(normaliseMessage(Message{ID: msgID(1), DialogID: "d1", SenderID: 2, Body: "hi"})); err != nil {
			return err
		}
		for q := range tx.bound {
			bound = append(bound, q)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(bound) != 2 {
		t.Fatalf("storing one new message bound %d statements, want 2 (the insert and its pending search entry): %q", len(bound), bound)
	}
}
