package app

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
)

func TestPumpChangesCoalescesBursts(t *testing.T) {
	in := make(chan cache.Change, 1000)
	for i := 0; i < 500; i++ {
		in <- cache.Change{Messages: map[string][]string{"d": {string(rune('a' + i%26))}}}
	}
	in <- cache.Change{Users: true}
	close(in)

	var calls []cache.Change
	done := make(chan struct{})
	go func() {
		pumpChanges(context.Background(), in, 50*time.Millisecond, func(c cache.Change) { calls = append(calls, c) })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("pump did not finish")
	}
	if len(calls) == 0 || len(calls) > 3 {
		t.Fatalf("a burst of 501 changes gave %d reloads, want 1–3", len(calls))
	}
	var merged cache.Change
	for _, c := range calls {
		merged = mergeChanges(merged, c)
	}
	if !merged.Users || len(merged.Messages["d"]) != 500 {
		t.Fatalf("changes were lost: users=%v messages=%d", merged.Users, len(merged.Messages["d"]))
	}
}

func TestPumpChangesSpacesCalls(t *testing.T) {
	in := make(chan cache.Change)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	times := make(chan time.Time, 10)
	go pumpChanges(ctx, in, 40*time.Millisecond, func(cache.Change) { times <- time.Now() })
	for i := 0; i < 3; i++ {
		in <- cache.Change{Dialogs: []string{"d"}}
		time.Sleep(5 * time.Millisecond)
	}
	var got []time.Time
	deadline := time.After(2 * time.Second)
	for len(got) < 1 {
		select {
		case ts := <-times:
			got = append(got, ts)
		case <-deadline:
			t.Fatal("no reload")
		}
	}
	in <- cache.Change{Dialogs: []string{"e"}}
	select {
	case ts := <-times:
		got = append(got, ts)
	case <-time.After(2 * time.Second):
		t.Fatal("no second reload")
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Before(got[j]) })
	if gap := got[1].Sub(got[0]); gap < 30*time.Millisecond {
		t.Fatalf("reloads %v apart, want at least the interval", gap)
	}
}
