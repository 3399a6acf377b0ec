package main

import (
	"sync"
	"time"
)

// messageKind tells a 1-1 message from a group one; their latencies are kept apart.
type messageKind int

const (
	kindPrivate messageKind = iota
	kindGroup
)

// inFlight is a sent message whose recipients have not all received it yet.
type inFlight struct {
	kind      messageKind
	sentAt    time.Time
	got       map[int64]bool // recipient → received already
	remaining int
}

// tracker matches every received message to its send time. Clients live in this
// process, so one clock measures both ends and no timestamp travels in the message.
type tracker struct {
	mu sync.Mutex

	pending map[string]*inFlight
	done    map[string]struct{} // every recipient got it; a later copy is a duplicate

	private        []time.Duration // send → receive, 1-1
	fanout         []time.Duration // send → receive, each group recipient
	fanoutComplete []time.Duration // send → the last group recipient

	expectedDeliveries int
	deliveries         int
	duplicates         int // a recipient got the same id twice
	strays             int // a message this run did not send (or sent to someone else)
	firstSend          time.Time
	lastDelivery       time.Time
}

func newTracker() *tracker {
	return &tracker{pending: map[string]*inFlight{}, done: map[string]struct{}{}}
}

// expect registers a message before it is sent, so that even the fastest delivery
// finds it. It returns the send time it recorded.
func (t *tracker) expect(id string, kind messageKind, recipients []int64) time.Time {
	got := make(map[int64]bool, len(recipients))
	for _, r := range recipients {
		got[r] = false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if t.firstSend.IsZero() {
		t.firstSend = now
	}
	t.pending[id] = &inFlight{kind: kind, sentAt: now, got: got, remaining: len(got)}
	t.expectedDeliveries += len(got)
	return now
}

// cancel forgets a message whose send failed: nobody will receive it.
func (t *tracker) cancel(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f, ok := t.pending[id]; ok {
		t.expectedDeliveries -= f.remaining
		delete(t.pending, id)
	}
}

// received records that recipient got message id at time at.
func (t *tracker) received(id string, recipient int64, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.pending[id]
	if !ok {
		if _, delivered := t.done[id]; delivered {
			t.duplicates++
		} else {
			t.strays++
		}
		return
	}
	switch already, expected := f.got[recipient]; {
	case !expected:
		t.strays++
		return
	case already:
		t.duplicates++
		return
	}
	f.got[recipient] = true
	f.remaining--
	t.deliveries++
	if at.After(t.lastDelivery) {
		t.lastDelivery = at
	}
	latency := at.Sub(f.sentAt)
	if f.kind == kindPrivate {
		t.private = append(t.private, latency)
	} else {
		t.fanout = append(t.fanout, latency)
	}
	if f.remaining == 0 {
		if f.kind == kindGroup {
			t.fanoutComplete = append(t.fanoutComplete, latency)
		}
		delete(t.pending, id)
		t.done[id] = struct{}{}
	}
}

// outstanding is how many deliveries are still awaited.
func (t *tracker) outstanding() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.expectedDeliveries - t.deliveries
}

// deliveryFigures is what the tracker measured, copied out under its lock.
type deliveryFigures struct {
	Private, Fanout, FanoutComplete Summary
	Expected, Delivered             int
	Duplicates, Strays              int
	FirstSend, LastDelivery         time.Time
}

func (t *tracker) figures() deliveryFigures {
	t.mu.Lock()
	defer t.mu.Unlock()
	return deliveryFigures{
		Private:        summarize(t.private),
		Fanout:         summarize(t.fanout),
		FanoutComplete: summarize(t.fanoutComplete),
		Expected:       t.expectedDeliveries,
		Delivered:      t.deliveries,
		Duplicates:     t.duplicates,
		Strays:         t.strays,
		FirstSend:      t.firstSend,
		LastDelivery:   t.lastDelivery,
	}
}
