package feed

import "sync"

// Value is a current value with a feed of its changes. Each subscriber's channel
// first carries the value as it was when it subscribed, then every change; a slow
// reader skips intermediate values and always ends up with the newest one.
type Value[T any] struct {
	mu   sync.Mutex // orders updates with subscriptions, so none is missed or doubled
	cur  T
	same func(a, b T) bool
	feed *Feed[T]
}

// NewValue returns a Value holding initial. same tells when an update changes
// nothing (and so is not published).
func NewValue[T any](initial T, same func(a, b T) bool) *Value[T] {
	return &Value[T]{cur: initial, same: same, feed: New(1, keepNewest[T])}
}

func keepNewest[T any](_ []T, next T) []T { return []T{next} }

// Get returns the current value.
func (v *Value[T]) Get() T {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.cur
}

// Update changes the value through edit (which gets a copy of the current one) and
// publishes the result unless same says nothing changed. It reports whether it
// published.
func (v *Value[T]) Update(edit func(*T)) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	next := v.cur
	edit(&next)
	if v.same(next, v.cur) {
		return false
	}
	v.cur = next
	v.feed.Publish(next)
	return true
}

// Subscribe returns a channel that first carries the current value, then changes,
// and a function that ends the subscription and closes the channel.
func (v *Value[T]) Subscribe() (<-chan T, func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.feed.SubscribeWith(v.cur)
}

// Close ends every subscription.
func (v *Value[T]) Close() { v.feed.Close() }
