package cache

import (
	"context"
	"fmt"
	"testing"
)

func TestUnreadTotalCountsVisibleDialogs(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if n, err := db.UnreadTotal(ctx); err != nil || n != 0 {
		t.Fatalf("empty cache: %d, %v", n, err)
	}
	if err := db.UpsertDialogs(ctx, []Dialog{
		{ID: "a", Type: 3, UnreadCount: 2}, {ID: "b", Type: 3, UnreadCount: 5}, {ID: "c", Type: 2, UnreadCount: 7},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetHidden(ctx, "c", true); err != nil {
		t.Fatal(err)
	}
	n, err := db.UnreadTotal(ctx)
	if err != nil || n != 7 {
		t.Fatalf("UnreadTotal = %d, %v; want 7 (the hidden dialog's 7 left out)", n, err)
	}
	visible, _ := db.VisibleDialogs(ctx)
	sum := 0
	for _, d := range visible {
		sum += d.UnreadCount
	}
	if sum != n {
		t.Fatalf("UnreadTotal %d, the visible list sums to %d", n, sum)
	}
}

// BenchmarkUnreadTotal10k sums the unread counts of 10k dialogs: one SUM query,
// beside the reference of decoding the whole visible list and adding it up (what
// the badge cost before, on every change).
func BenchmarkUnreadTotal10k(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	dialogs := make([]Dialog, 10_000)
	for i := range dialogs {
		dialogs[i] = Dialog{ID: fmt.Sprintf("dialog-%05d", i), Type: 2, Name: "group", UnreadCount: i % 3,
			OccupantIDs: []int64{1, 2, 3, 4, 5, 6}, LastMessage: "see you at the meeting tomorrow"}
	}
	if err := db.UpsertDialogs(ctx, dialogs); err != nil {
		b.Fatal(err)
	}
	b.Run("reference-decode-visible-list", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			list, err := db.VisibleDialogs(ctx)
			if err != nil || len(list) != len(dialogs) {
				b.Fatalf("%d, %v", len(list), err)
			}
			sum := 0
			for _, d := range list {
				sum += d.UnreadCount
			}
			_ = sum
		}
	})
	b.Run("sum-query", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := db.UnreadTotal(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
