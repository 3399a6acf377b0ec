package cache

import (
	"context"
	"slices"
	"testing"
)

// TestSecondTailCountsTheSecondAndNamesItsLast: the count covers the whole second,
// the tail is its last n ids in arrival order, oldest first; other seconds and
// dialogs do not count.
func TestSecondTailCountsTheSecondAndNamesItsLast(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// Ids in the opposite order of arrival: the tail must follow arrival.
	upsert(t, db, newMsg("d1", 9, 0, "first"))
	upsert(t, db, newMsg("d1", 8, 0, "second"))
	upsert(t, db, newMsg("d1", 7, 0, "third"))
	upsert(t, db, newMsg("d1", 6, 1, "next second"), newMsg("d2", 5, 0, "other dialog"))
	count, tail, err := db.SecondTail(ctx, Second{DialogID: "d1", SentAt: base}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if count != 3 || !slices.Equal(tail, []string{msgID(8), msgID(7)}) {
		t.Fatalf("count %d, tail %v; want 3, [%s %s]", count, tail, msgID(8), msgID(7))
	}
	if count, tail, err = db.SecondTail(ctx, Second{DialogID: "d3", SentAt: base}, 2); err != nil || count != 0 || len(tail) != 0 {
		t.Fatalf("empty second: %d, %v, %v", count, tail, err)
	}
}
