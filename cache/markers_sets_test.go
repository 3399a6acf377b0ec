package cache

import (
	"context"
	"slices"
	"testing"
)

// outboxRows counts the outbox table's rows, whatever their message's state.
func outboxRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.w.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAddMarkerSetsRecordsEverySetTogether(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	m1, m2 := newMsg("d1", 1, 1, "one"), newMsg("d1", 2, 2, "two")
	upsert(t, db, m1, m2)
	pending := newMsg("d2", 3, 3, "queued")
	pending.State = StatePending
	if err := db.EnqueueOutgoing(ctx, pending); err != nil {
		t.Fatal(err)
	}
	changes, cancel := db.Subscribe()
	defer cancel()
	n, err := db.AddMarkerSets(ctx, []MarkerSet{
		{DialogID: "d1", MessageIDs: []string{m1.ID, m2.ID, "unknown"}, UserID: 8, Kind: MarkerDelivered},
		{DialogID: "d2", MessageIDs: []string{pending.ID}, UserID: 9, Kind: MarkerRead},
		{DialogID: "d2", MessageIDs: []string{m1.ID}, UserID: 9, Kind: MarkerRead}, // another dialog's: skipped
	})
	if err != nil || n != 3 {
		t.Fatalf("AddMarkerSets = %d, %v; want 3", n, err)
	}
	for _, want := range []struct {
		m               Message
		state           MessageState
		delivered, read []int64
	}{
		{m1, StateDelivered, []int64{8}, nil},
		{m2, StateDelivered, []int64{8}, nil},
		{pending, StateRead, []int64{9}, []int64{9}},
	} {
		got := getMsg(t, db, want.m.ID)
		if got.State != want.state || !slices.Equal(got.DeliveredIDs, want.delivered) || !slices.Equal(got.ReadIDs, want.read) {
			t.Fatalf("%s: state %s delivered %v read %v", want.m.Body, got.State, got.DeliveredIDs, got.ReadIDs)
		}
	}
	// The queued message the read marker confirmed has left the outbox table.
	if rows := outboxRows(t, db); rows != 0 {
		t.Fatalf("%d outbox rows left", rows)
	}
	c := drain(t, changes)
	if !slices.Equal(c.Markers["d1"], []string{m1.ID, m2.ID}) || !slices.Equal(c.Markers["d2"], []string{pending.ID}) ||
		!slices.Equal(c.Messages["d1"], []string{m1.ID, m2.ID}) || !slices.Equal(c.Messages["d2"], []string{pending.ID}) {
		t.Fatalf("change %+v", c)
	}
	// A later marker adds to the lists; a read marker also counts as delivered.
	if _, err := db.AddMarkerSets(ctx, []MarkerSet{{DialogID: "d1", MessageIDs: []string{m1.ID}, UserID: 5, Kind: MarkerRead}}); err != nil {
		t.Fatal(err)
	}
	if got := getMsg(t, db, m1.ID); got.State != StateRead || !slices.Equal(got.DeliveredIDs, []int64{5, 8}) || !slices.Equal(got.ReadIDs, []int64{5}) {
		t.Fatalf("after a second marker: %+v", got)
	}
}

func TestAddMarkerSetsRefusesABadSetBeforeWriting(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := newMsg("d1", 1, 1, "one")
	upsert(t, db, m)
	for _, bad := range []MarkerSet{
		{DialogID: "d1", MessageIDs: []string{m.ID}, UserID: 0, Kind: MarkerRead},
		{DialogID: "d1", MessageIDs: []string{m.ID}, UserID: 8, Kind: "seen"},
	} {
		good := MarkerSet{DialogID: "d1", MessageIDs: []string{m.ID}, UserID: 8, Kind: MarkerDelivered}
		if _, err := db.AddMarkerSets(ctx, []MarkerSet{good, bad}); err == nil {
			t.Fatalf("set %+v accepted", bad)
		}
	}
	if got := getMsg(t, db, m.ID); len(got.DeliveredIDs) != 0 || got.State != m.State {
		t.Fatalf("a refused call wrote %+v", got)
	}
}
