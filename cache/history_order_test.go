package cache

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHistoryReadsSameSecondMessagesInArrivalOrder: 30 messages of one second arrive
// one by one (as live messages do) with ids in random order; the newest page and the
// last message follow arrival, not the ids.
func TestHistoryReadsSameSecondMessagesInArrivalOrder(t *testing.T) {
	db := openTest(t)
	var want []string
	for _, n := range rand.Perm(30) {
		m := newMsg("d1", n+1, 0, "burst")
		upsert(t, db, m)
		want = append(want, m.ID)
	}
	page, err := db.Messages(context.Background(), "d1", base.Add(1e9), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page); !slices.Equal(got, want) {
		t.Fatalf("history order:\n got %v\nwant %v", got, want)
	}
	newest, err := db.NewestMessage(context.Background(), "d1")
	if err != nil || newest == nil || newest.ID != want[len(want)-1] {
		t.Fatalf("newest = %+v (%v), want %s", newest, err, want[len(want)-1])
	}
}
