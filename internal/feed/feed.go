// Package feed fans values out to subscribers without ever making the publisher
// wait for a reader. Each subscriber gets a buffered channel; when a slow reader
// lets it fill up, the feed's overflow rule decides what the buffer holds instead
// (merge into what is waiting, keep only the newest, drop the least useful). The
// cache's change feed, the engine's event stream and its status all use it.
package feed

import "sync"

// Overflow returns what a full subscriber buffer holds after next arrives, given what
// was waiting in it (oldest first). It may return at most the buffer's capacity
// values; extra ones at the front are dropped. It must not keep or modify waiting's
// values if they are shared with other subscribers.
type Overflow[T any] func(waiting []T, next T) []T

// Feed is a publish/subscribe point for values of type T. The zero value is not
// usable: build one with New, NewCoalescing or (for a current value) NewValue.
type Feed[T any] struct {
	capacity int
	overflow Overflow[T]

	mu     sync.Mutex // guards subs and closed, and orders publishes
	subs   map[*subscriber[T]]struct{}
	closed bool
}

type subscriber[T any] struct {
	mu     sync.Mutex // held by the only senders (publishers) and by close
	ch     chan T
	closed bool
}

// New returns a feed whose subscribers each buffer up to capacity values; a publish
// that finds a buffer full hands its contents and the new value to overflow.
func New[T any](capacity int, overflow Overflow[T]) *Feed[T] {
	if capacity < 1 {
		panic("feed: capacity must be at least 1")
	}
	return &Feed[T]{capacity: capacity, overflow: overflow, subs: map[*subscriber[T]]struct{}{}}
}

// NewCoalescing returns a feed with one waiting value per subscriber: a value
// published while one waits is merged into it, so a slow reader gets fewer, larger
// values and none is lost. merge must not modify its arguments.
func NewCoalescing[T any](merge func(waiting, next T) T) *Feed[T] {
	return New(1, func(waiting []T, next T) []T {
		if len(waiting) == 0 {
			return []T{next}
		}
		return []T{merge(waiting[0], next)}
	})
}

// Subscribe returns a channel of the values published from now on, and a function
// that ends the subscription and closes the channel (safe to call more than once).
// Subscribing to a closed feed returns a closed channel.
func (f *Feed[T]) Subscribe() (<-chan T, func()) {
	return f.subscribe(nil)
}

// SubscribeWith is Subscribe with first already waiting in the channel.
func (f *Feed[T]) SubscribeWith(first T) (<-chan T, func()) {
	return f.subscribe(&first)
}

func (f *Feed[T]) subscribe(first *T) (<-chan T, func()) {
	s := &subscriber[T]{ch: make(chan T, f.capacity)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	if first != nil {
		s.ch <- *first
	}
	f.subs[s] = struct{}{}
	return s.ch, func() {
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
		s.close()
	}
}

// Publish hands v to every subscriber without blocking.
func (f *Feed[T]) Publish(v T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		s.offer(v, f.capacity, f.overflow)
	}
}

// Subscribers tells how many subscriptions are open.
func (f *Feed[T]) Subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// Close ends every subscription, closing their channels (values already waiting in
// them can still be read). Later publishes are dropped; later subscriptions get a
// closed channel.
func (f *Feed[T]) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for s := range f.subs {
		delete(f.subs, s)
		s.close()
	}
}

// offer puts v in the subscriber's buffer. Publishers are the only senders and hold
// s.mu, so once offer has emptied a full buffer every value it puts back has room;
// the reader may take values meanwhile, which only leaves more room.
func (s *subscriber[T]) offer(v T, capacity int, overflow Overflow[T]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case s.ch <- v:
		return
	default:
	}
	waiting := make([]T, 0, capacity)
	for drained := false; !drained; {
		select {
		case w := <-s.ch:
			waiting = append(waiting, w)
		default:
			drained = true
		}
	}
	keep := overflow(waiting, v)
	if len(keep) > capacity {
		keep = keep[len(keep)-capacity:]
	}
	for _, k := range keep {
		s.ch <- k
	}
}

func (s *subscriber[T]) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}
