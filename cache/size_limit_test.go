package cache

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestLimitSizeFailsLikeAFullDiskAndLifts: growth past the cap is ErrDiskFull with
// nothing written; lifting the cap lets the same write through.
func TestLimitSizeFailsLikeAFullDiskAndLifts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.LimitSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	var big []Message
	for i := range 200 {
		big = append(big, newMsg("d1", i+1, i, strings.Repeat("y", 1000)))
	}
	if _, err := db.UpsertMessages(ctx, big); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("a write past the cap = %v, want ErrDiskFull", err)
	}
	if ms, err := db.Messages(ctx, "d1", base.AddDate(1, 0, 0), "", 10); err != nil || len(ms) != 0 {
		t.Fatalf("after the refused write: %d messages, %v", len(ms), err)
	}
	if err := db.LimitSize(ctx, -1); err != nil {
		t.Fatal(err)
	}
	if n := upsert(t, db, big...); n != len(big) {
		t.Fatalf("inserted %d of %d once the cap was lifted", n, len(big))
	}
}
