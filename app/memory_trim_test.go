package app

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

// countTrims replaces freeMemory with a counter for the test.
func countTrims(t *testing.T) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	old := freeMemory
	freeMemory = func() { n.Add(1) }
	t.Cleanup(func() { freeMemory = old })
	return &n
}

// A burst of pokes trims once it is over; a stopped trimmer trims nothing.
func TestIdleTrimAfterABurst(t *testing.T) {
	n := countTrims(t)
	tr := newIdleTrim()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.run(ctx); close(done) }()
	for range 5 {
		tr.poke()
	}
	testwait.For(t, "the trim after the pokes", 5*time.Second, func() bool { return n.Load() >= 1 })
	cancel()
	testwait.Recv(t, "the trimmer to stop", 5*time.Second, done)
	tr.poke() // after the end: must not block or trim
}

// With nothing opened, the memory is still handed back every so often.
func TestIdleTrimEvery(t *testing.T) {
	n := countTrims(t)
	tr := newIdleTrim()
	tr.every = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.run(ctx); close(done) }()
	testwait.For(t, "two trims without a poke", 5*time.Second, func() bool { return n.Load() >= 2 })
	cancel()
	testwait.Recv(t, "the trimmer to stop", 5*time.Second, done)
}

// Opening a chat hands the memory its drawing freed back to the OS, and so does the
// first full read of the dialog list.
func TestOpeningAChatTrimsMemory(t *testing.T) {
	n := countTrims(t)
	_, m, _ := offlineUI(t)
	testwait.For(t, "the trim after the dialog list", 5*time.Second, func() bool { return n.Load() >= 1 })
	before := n.Load()
	onUI(func() { m.selectDialog("d1") })
	testwait.For(t, "the trim after opening a chat", 5*time.Second, func() bool { return n.Load() > before })
}
