package main

import (
	"testing"
	"time"
)

func TestTrackerCountsDeliveriesDuplicatesAndStrays(t *testing.T) {
	tr := newTracker()
	tr.expect("p1", kindPrivate, []int64{2})
	tr.expect("g1", kindGroup, []int64{2, 3, 4})
	tr.expect("gone", kindPrivate, []int64{5})
	tr.cancel("gone") // a failed send is not awaited

	now := time.Now().Add(time.Millisecond)
	tr.received("p1", 2, now)
	tr.received("p1", 2, now)      // duplicate after completion
	tr.received("g1", 3, now)      // partial fan-out
	tr.received("g1", 3, now)      // duplicate while in flight
	tr.received("g1", 9, now)      // not a recipient
	tr.received("unknown", 2, now) // never sent
	if n := tr.outstanding(); n != 2 {
		t.Fatalf("outstanding = %d, want 2", n)
	}
	tr.received("g1", 2, now)
	tr.received("g1", 4, now.Add(time.Millisecond))

	f := tr.figures()
	if f.Expected != 4 || f.Delivered != 4 || f.Duplicates != 2 || f.Strays != 2 {
		t.Fatalf("figures %+v", f)
	}
	if f.Private.N != 1 || f.Fanout.N != 3 || f.FanoutComplete.N != 1 {
		t.Fatalf("samples: private %d, fanout %d, complete %d", f.Private.N, f.Fanout.N, f.FanoutComplete.N)
	}
	if f.FanoutComplete.Max != f.Fanout.Max || f.FanoutComplete.Max <= 0 {
		t.Fatalf("fan-out completes with its last recipient: %v vs %v", f.FanoutComplete.Max, f.Fanout.Max)
	}
	if !f.LastDelivery.Equal(now.Add(time.Millisecond)) {
		t.Fatalf("last delivery %v", f.LastDelivery)
	}
}
