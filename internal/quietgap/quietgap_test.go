package quietgap

import (
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

// While events come more often than quiet, Await waits; it returns in the first gap.
func TestAwaitReturnsInTheFirstGap(t *testing.T) {
	events, stop := make(chan struct{}, 1), make(chan struct{})
	returned := make(chan bool, 1)
	go func() { returned <- Await(events, stop, 300*time.Millisecond, time.Minute) }()
	for range 60 { // 600 ms of events 10 ms apart
		select {
		case events <- struct{}{}:
		default:
		}
		select {
		case <-returned:
			t.Fatal("Await returned while events came every 10 ms, want it to wait for a 300 ms gap")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if got, _ := testwait.Recv(t, "Await in the gap after the events", 10*time.Second, returned); !got {
		t.Fatal("Await = false without stop")
	}
}

// Events that never pause still end the wait after longest.
func TestAwaitUnderEventsThatNeverPause(t *testing.T) {
	events, stop := make(chan struct{}, 1), make(chan struct{})
	returned := make(chan bool, 1)
	go func() { returned <- Await(events, stop, time.Minute, 100*time.Millisecond) }()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case events <- struct{}{}:
			case <-done:
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	if got, _ := testwait.Recv(t, "Await after longest", 10*time.Second, returned); !got {
		t.Fatal("Await = false without stop")
	}
}

// Closing stop ends the wait with false.
func TestAwaitStops(t *testing.T) {
	events, stop := make(chan struct{}, 1), make(chan struct{})
	returned := make(chan bool, 1)
	go func() { returned <- Await(events, stop, time.Minute, time.Hour) }()
	close(stop)
	if got, _ := testwait.Recv(t, "Await after stop", 10*time.Second, returned); got {
		t.Fatal("Await = true after stop")
	}
}
