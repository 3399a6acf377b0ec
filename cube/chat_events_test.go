package cube

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// An abandoned queue must not keep a pump goroutine waiting for a reader forever.
func TestEventQueueDiscardEndsThePump(t *testing.T) {
	q := newEventQueue()
	q.push(StateEvent{State: Ready})
	q.push(StateEvent{State: Reconnecting})
	select {
	case ev := <-q.out:
		if ev.(StateEvent).State != Ready {
			t.Fatalf("first event = %+v, want Ready", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event delivered")
	}
	q.discard()
	q.push(StateEvent{State: Closed}) // after discard: dropped, no new pump
	deadline := time.Now().Add(5 * time.Second)
	for pumps := countPumps(); pumps > 0; pumps = countPumps() {
		if time.Now().After(deadline) {
			t.Fatalf("%d event pumps still running after discard", pumps)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case ev := <-q.out:
		t.Fatalf("event %+v delivered after discard", ev)
	default:
	}
}

func countPumps() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "cube.(*eventQueue).pump")
}
