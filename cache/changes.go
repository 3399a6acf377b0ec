package cache

import (
	"slices"
	"sync"
)

// Change says what a committed write touched, so that subscribers reload only
// that. Dialogs lists dialogs whose row (or gaps) changed; Messages maps a dialog
// id to the ids of its messages that were inserted or changed.
type Change struct {
	Dialogs  []string
	Messages map[string][]string // dialog → message ids
	Users    bool
	Account  bool
}

// Empty tells whether the change names nothing.
func (c Change) Empty() bool {
	return len(c.Dialogs) == 0 && len(c.Messages) == 0 && !c.Users && !c.Account
}

func (c *Change) addDialog(id string) {
	c.Dialogs = append(c.Dialogs, id)
}

func (c *Change) addMessage(dialogID, id string) {
	if c.Messages == nil {
		c.Messages = map[string][]string{}
	}
	c.Messages[dialogID] = append(c.Messages[dialogID], id)
}

// merge returns the union of a and b with duplicate ids removed. It does not
// modify either argument (a published change is shared by all subscribers).
func merge(a, b Change) Change {
	out := Change{Users: a.Users || b.Users, Account: a.Account || b.Account}
	out.Dialogs = uniq(append(slices.Clone(a.Dialogs), b.Dialogs...))
	if len(a.Messages)+len(b.Messages) > 0 {
		out.Messages = make(map[string][]string, len(a.Messages)+len(b.Messages))
		for _, m := range []map[string][]string{a.Messages, b.Messages} {
			for d, ids := range m {
				out.Messages[d] = append(out.Messages[d], ids...)
			}
		}
		for d, ids := range out.Messages {
			out.Messages[d] = uniq(ids)
		}
	}
	return out
}

// uniq sorts ids and drops repeats; nil stays nil.
func uniq(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// feed fans changes out to subscribers. Each subscriber has a channel with room
// for one Change: a publisher that finds it full takes the waiting change out,
// merges the new one into it and puts the union back. So a slow reader gets
// fewer, larger changes, nothing is lost, and a writer never waits for a reader.
type feed struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	mu     sync.Mutex // held by the publisher while it swaps the pending change
	ch     chan Change
	closed bool
}

func newFeed() *feed { return &feed{subs: map[*subscriber]struct{}{}} }

// Subscribe returns a channel of changes committed from now on, and a function
// that ends the subscription and closes the channel (safe to call twice).
// Closing the DB ends every subscription.
func (db *DB) Subscribe() (<-chan Change, func()) {
	return db.feed.subscribe()
}

func (f *feed) subscribe() (<-chan Change, func()) {
	s := &subscriber{ch: make(chan Change, 1)}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		close(s.ch)
		return s.ch, func() {}
	}
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	cancel := func() {
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
		s.close()
	}
	return s.ch, cancel
}

func (f *feed) publish(c Change) {
	if c.Empty() {
		return
	}
	c = merge(Change{}, c) // normalise: sorted, without duplicates
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		s.offer(c)
	}
}

func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for s := range f.subs {
		s.close()
		delete(f.subs, s)
	}
}

// offer hands c to the subscriber without blocking: publishers are the only
// senders and they hold s.mu, so after draining the buffer the send has room.
func (s *subscriber) offer(c Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case waiting := <-s.ch:
		c = merge(waiting, c)
	default:
	}
	s.ch <- c
}

func (s *subscriber) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}
