package feed

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

const wait = 5 * time.Second

// recvAll reads what is waiting in ch right now, without waiting for more.
func recvAll[T any](ch <-chan T) []T {
	var got []T
	for {
		select {
		case v, ok := <-ch:
			if !ok {
				return got
			}
			got = append(got, v)
		default:
			return got
		}
	}
}

// keepAll appends and lets the feed trim the front: a bounded queue that loses its oldest.
func keepAll(waiting []int, next int) []int { return append(waiting, next) }

func sum(a, b int) int { return a + b }

func TestPublishDeliversInOrderWithinCapacity(t *testing.T) {
	f := New(4, keepAll)
	ch, cancel := f.Subscribe()
	defer cancel()
	for i := 1; i <= 4; i++ {
		f.Publish(i)
	}
	if got := recvAll(ch); !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Fatalf("got %v, want 1..4 in order", got)
	}
}

func TestFullBufferKeepsTheNewestInOrderAndNeverBlocks(t *testing.T) {
	f := New(3, keepAll)
	ch, cancel := f.Subscribe()
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i <= 1000; i++ {
			f.Publish(i)
		}
	}()
	testwait.Recv(t, "1000 publishes to a reader that never reads", wait, done)
	if got := recvAll(ch); !slices.Equal(got, []int{998, 999, 1000}) {
		t.Fatalf("got %v, want the newest three", got)
	}
}

func TestOverflowSeesWaitingOldestFirst(t *testing.T) {
	var seen [][]int
	f := New(2, func(waiting []int, next int) []int {
		seen = append(seen, slices.Clone(waiting))
		return []int{waiting[0], next} // keep the first, replace the rest
	})
	ch, cancel := f.Subscribe()
	defer cancel()
	for i := 1; i <= 4; i++ {
		f.Publish(i)
	}
	if want := [][]int{{1, 2}, {1, 3}}; !slices.EqualFunc(seen, want, slices.Equal) {
		t.Fatalf("overflow saw %v, want %v", seen, want)
	}
	if got := recvAll(ch); !slices.Equal(got, []int{1, 4}) {
		t.Fatalf("got %v, want [1 4]", got)
	}
}

func TestCoalescingMergesForASlowReader(t *testing.T) {
	f := NewCoalescing(sum)
	slow, cancelSlow := f.Subscribe()
	defer cancelSlow()
	fast, cancelFast := f.Subscribe()
	defer cancelFast()
	for i := 1; i <= 10; i++ {
		f.Publish(i)
		if v, _ := testwait.Recv(t, "the fast reader's value", wait, fast); v != i {
			t.Fatalf("fast reader got %d, want %d", v, i)
		}
	}
	if got := recvAll(slow); !slices.Equal(got, []int{55}) {
		t.Fatalf("slow reader got %v, want one merged value 55", got)
	}
}

func TestSubscribeWithStartsWithTheGivenValue(t *testing.T) {
	f := New(2, keepAll)
	ch, cancel := f.SubscribeWith(7)
	defer cancel()
	f.Publish(8)
	if got := recvAll(ch); !slices.Equal(got, []int{7, 8}) {
		t.Fatalf("got %v, want [7 8]", got)
	}
}

func TestUnsubscribeClosesOnlyThatChannel(t *testing.T) {
	f := NewCoalescing(sum)
	a, cancelA := f.Subscribe()
	b, cancelB := f.Subscribe()
	defer cancelB()
	cancelA()
	cancelA() // a second call is harmless
	if _, ok := testwait.Recv(t, "a's channel to close", wait, a); ok {
		t.Fatal("a value on an ended subscription")
	}
	if n := f.Subscribers(); n != 1 {
		t.Fatalf("%d subscribers, want 1", n)
	}
	f.Publish(3)
	if v, _ := testwait.Recv(t, "b's value", wait, b); v != 3 {
		t.Fatalf("b got %d", v)
	}
}

func TestCloseEndsEverySubscriptionKeepingWaitingValues(t *testing.T) {
	f := New(2, keepAll)
	a, cancelA := f.Subscribe()
	b, _ := f.Subscribe()
	f.Publish(1)
	f.Close()
	f.Publish(2) // dropped, and must not panic on closed channels
	cancelA()    // after Close: harmless
	for name, ch := range map[string]<-chan int{"a": a, "b": b} {
		if v, ok := testwait.Recv(t, name+"'s waiting value", wait, ch); !ok || v != 1 {
			t.Fatalf("%s got %d, %v; want the value published before Close", name, v, ok)
		}
		if _, ok := testwait.Recv(t, name+"'s channel to close", wait, ch); ok {
			t.Fatalf("%s got a value published after Close", name)
		}
	}
	late, cancelLate := f.Subscribe()
	defer cancelLate()
	if _, ok := testwait.Recv(t, "the late subscription to close", wait, late); ok {
		t.Fatal("subscribing after Close should give a closed channel")
	}
}

// Concurrent publishers, readers and unsubscribes (run with -race): a coalescing
// feed loses nothing, so what a reader that stays to the end receives adds up to
// everything published.
func TestConcurrentPublishersLoseNothingWhenCoalescing(t *testing.T) {
	f := NewCoalescing(sum)
	ch, cancel := f.Subscribe()
	const publishers, each = 8, 500
	var pubs, churn sync.WaitGroup
	stopChurn := make(chan struct{})
	churn.Go(func() { // subscriptions that come and go while values flow
		for {
			select {
			case <-stopChurn:
				return
			default:
			}
			c, cancelC := f.Subscribe()
			recvAll(c)
			cancelC()
		}
	})
	for range publishers {
		pubs.Go(func() {
			for range each {
				f.Publish(1)
			}
		})
	}
	total := 0
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for v := range ch {
			total += v
		}
	}()
	pubs.Wait()
	close(stopChurn)
	churn.Wait()
	cancel()
	testwait.Recv(t, "the reader to see its channel closed", wait, readerDone)
	if total != publishers*each {
		t.Fatalf("received %d, published %d", total, publishers*each)
	}
}
