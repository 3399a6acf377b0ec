package sync

import gosync "sync"

// statusFeed holds the current Status and fans it out to subscribers. Each subscriber
// has a one-slot channel that always holds the newest status: a slow reader skips
// intermediate states, and the engine never blocks on a reader.
type statusFeed struct {
	mu   gosync.Mutex
	cur  Status
	subs map[int]chan Status
	next int
}

func newStatusFeed(initial Status) *statusFeed {
	return &statusFeed{cur: initial, subs: map[int]chan Status{}}
}

func (f *statusFeed) get() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur
}

// set changes the status through edit and publishes it if it changed.
func (f *statusFeed) set(edit func(*Status)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	next := f.cur
	edit(&next)
	if sameStatus(next, f.cur) {
		return
	}
	f.cur = next
	for _, ch := range f.subs {
		offerLatest(ch, next)
	}
}

// subscribe returns a channel that first carries the current status, then changes.
func (f *statusFeed) subscribe() (<-chan Status, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next
	f.next++
	ch := make(chan Status, 1)
	ch <- f.cur
	f.subs[id] = ch
	var once gosync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.subs, id)
			f.mu.Unlock()
		})
	}
}

// offerLatest replaces whatever is waiting in the one-slot channel with s. It is only
// called with the feed's lock held, so no other writer races for the slot.
func offerLatest(ch chan Status, s Status) {
	select {
	case <-ch:
	default:
	}
	ch <- s
}

// sameStatus compares statuses without ==, which would panic on an error value of an
// uncomparable dynamic type.
func sameStatus(a, b Status) bool {
	return a.State == b.State && a.Syncing == b.Syncing && a.NeedsSignIn == b.NeedsSignIn &&
		errText(a.Err) == errText(b.Err) && errText(a.StoreErr) == errText(b.StoreErr)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
