package sync

import (
	"context"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// markerRun is n markers of user 8 on messages named from first on.
func markerRun(first, n int) []cube.MarkerEvent {
	run := make([]cube.MarkerEvent, n)
	for i := range run {
		run[i] = cube.MarkerEvent{DialogID: "d", MessageID: string(rune('a' + first + i)), UserID: 8, Kind: cube.MarkerDelivered}
	}
	return run
}

// Markers that arrive while a write is recent share the next write; the queue
// starts one drain at a time.
func TestMarkerQueueWritesWhatArrivedTogetherOnce(t *testing.T) {
	var q markerQueue
	q.last = time.Now() // a write has just ended: the next one waits
	if !q.add(markerRun(0, 2)) {
		t.Fatal("the first run did not ask for a drain")
	}
	if q.add(markerRun(2, 3)) || q.add(markerRun(5, 1)) {
		t.Fatal("a second drain was asked for while one runs")
	}
	var writes [][]cube.MarkerEvent
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stopping: no wait, and the write still gets a live context
	q.drain(ctx, time.Hour, func(wctx context.Context, batch []cube.MarkerEvent) {
		if wctx.Err() != nil {
			t.Error("the last write of a stopping engine got an ended context")
		}
		writes = append(writes, batch)
	})
	if len(writes) != 1 || len(writes[0]) != 6 {
		t.Fatalf("writes %v, want one of all 6 markers", writes)
	}
	if !q.add(markerRun(6, 1)) {
		t.Fatal("after the drain ended, a new run did not ask for one")
	}
}

// A marker that finds no recent write is written at once; one that arrives during
// that write waits for the gap (here: until the engine stops).
func TestMarkerQueueWritesAtOnceWhenIdle(t *testing.T) {
	var q markerQueue
	q.add(markerRun(0, 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var writes [][]cube.MarkerEvent
	q.drain(ctx, time.Hour, func(_ context.Context, batch []cube.MarkerEvent) {
		writes = append(writes, batch)
		if len(writes) == 1 {
			if q.add(markerRun(1, 2)) {
				t.Error("a drain was asked for during a write")
			}
			cancel() // else the next write would wait the hour
		}
	})
	if len(writes) != 2 || len(writes[0]) != 1 || len(writes[1]) != 2 {
		t.Fatalf("writes %v, want 1 then 2 markers", writes)
	}
}

// A long queue is written in bounded writes.
func TestMarkerQueueBoundsAWrite(t *testing.T) {
	var q markerQueue
	q.add(make([]cube.MarkerEvent, markerWriteMax+5))
	var sizes []int
	q.drain(context.Background(), 0, func(_ context.Context, batch []cube.MarkerEvent) {
		sizes = append(sizes, len(batch))
	})
	if len(sizes) != 2 || sizes[0] != markerWriteMax || sizes[1] != 5 {
		t.Fatalf("write sizes %v", sizes)
	}
}
