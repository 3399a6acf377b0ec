package throttle

import (
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Burst failures lock a key; one Drain period later one more attempt is allowed; a full
// drain forgets the key. Other keys are untouched, and address keys use their own limits.
func TestGuardLocksAndDrains(t *testing.T) {
	c := &clock{now: time.Unix(1_700_000_000, 0)}
	g := New(Limits{Burst: 3, Drain: time.Minute}, Limits{Burst: 5, Drain: time.Second}, c.Now)
	for i := 0; i < 3; i++ {
		if !g.Allow("user:1") {
			t.Fatalf("refused after %d failures", i)
		}
		g.Failed("user:1")
	}
	if g.Allow("user:1") {
		t.Fatal("allowed after 3 failures")
	}
	if !g.Allow("user:2") || !g.Allow("addr:10.0.0.1") {
		t.Fatal("other keys are locked too")
	}
	if g.Allow("user:2", "user:1") {
		t.Fatal("a locked key among several must refuse")
	}
	c.advance(59 * time.Second)
	if g.Allow("user:1") {
		t.Fatal("allowed before one failure drained")
	}
	c.advance(time.Second)
	if !g.Allow("user:1") {
		t.Fatal("still locked after one drain period")
	}
	g.Failed("user:1")
	if g.Allow("user:1") {
		t.Fatal("one failure after a partial drain must lock again")
	}
	c.advance(10 * time.Minute)
	if !g.Allow("user:1") {
		t.Fatal("still locked after a full drain")
	}
	g.mu.Lock()
	_, kept := g.buckets["user:1"]
	g.mu.Unlock()
	if kept {
		t.Fatal("a drained bucket is kept in memory")
	}

	for i := 0; i < 4; i++ {
		g.Failed("addr:10.0.0.1")
	}
	if !g.Allow("addr:10.0.0.1") {
		t.Fatal("address limit is 5, locked at 4")
	}
	g.Failed("addr:10.0.0.1")
	if g.Allow("addr:10.0.0.1") {
		t.Fatal("address allowed after 5 failures")
	}
}
