package cache

import (
	"cmp"
	"slices"
	"sync"
)

// Change says what a committed write touched, so that subscribers reload only
// that. Dialogs lists dialogs whose row (or gaps) changed; Messages maps a dialog
// id to the ids of its messages that were inserted, removed, or changed in
// content or state. Reactions and Markers name messages whose reactions, or
// delivered/read user lists, changed: a change of only those is not in Messages
// (a marker that also moves a message's State is in both).
type Change struct {
	Dialogs  []string
	Messages map[string][]string // dialog → message ids
	Users    bool                // user profiles
	Account  bool

	Reactions      map[string][]string // dialog → message ids
	Markers        map[string][]string // dialog → message ids
	Activity       []int64             // users whose last activity or online state changed
	Drafts         []string            // dialogs whose draft changed
	Privacy        bool                // the block list
	SystemMessages bool                // system messages arrived or were dismissed
	Actions        bool                // the queue of outgoing actions (edits, deletes, …)
}

// Empty tells whether the change names nothing.
func (c Change) Empty() bool {
	return len(c.Dialogs) == 0 && len(c.Messages) == 0 && !c.Users && !c.Account &&
		len(c.Reactions) == 0 && len(c.Markers) == 0 && len(c.Activity) == 0 &&
		len(c.Drafts) == 0 && !c.Privacy && !c.SystemMessages && !c.Actions
}

func (c *Change) addDialog(id string) {
	c.Dialogs = append(c.Dialogs, id)
}

func (c *Change) addMessage(dialogID, id string) {
	addTo(&c.Messages, dialogID, id)
}

func (c *Change) addReaction(dialogID, id string) {
	addTo(&c.Reactions, dialogID, id)
}

func (c *Change) addMarker(dialogID, id string) {
	addTo(&c.Markers, dialogID, id)
}

func addTo(m *map[string][]string, dialogID, id string) {
	if *m == nil {
		*m = map[string][]string{}
	}
	(*m)[dialogID] = append((*m)[dialogID], id)
}

// merge returns the union of a and b with duplicate ids removed. It does not
// modify either argument (a published change is shared by all subscribers).
func merge(a, b Change) Change {
	return Change{
		Dialogs:        uniq(append(slices.Clone(a.Dialogs), b.Dialogs...)),
		Messages:       mergeIDMaps(a.Messages, b.Messages),
		Users:          a.Users || b.Users,
		Account:        a.Account || b.Account,
		Reactions:      mergeIDMaps(a.Reactions, b.Reactions),
		Markers:        mergeIDMaps(a.Markers, b.Markers),
		Activity:       uniq(append(slices.Clone(a.Activity), b.Activity...)),
		Drafts:         uniq(append(slices.Clone(a.Drafts), b.Drafts...)),
		Privacy:        a.Privacy || b.Privacy,
		SystemMessages: a.SystemMessages || b.SystemMessages,
		Actions:        a.Actions || b.Actions,
	}
}

// mergeIDMaps is the union of two dialog → ids maps, ids sorted and unique;
// nil when both are empty.
func mergeIDMaps(a, b map[string][]string) map[string][]string {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := make(map[string][]string, len(a)+len(b))
	for _, m := range []map[string][]string{a, b} {
		for d, ids := range m {
			out[d] = append(out[d], ids...)
		}
	}
	for d, ids := range out {
		out[d] = uniq(ids)
	}
	return out
}

// uniq sorts ids and drops repeats; nil stays nil.
func uniq[T cmp.Ordered](ids []T) []T {
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
