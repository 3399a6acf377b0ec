package cube

import (
	"strconv"
	"sync"
)

// ConnState is the state of the chat connection, named as in the ConnectyCube SDKs.
type ConnState int

const (
	Idle ConnState = iota
	Authenticated
	AuthenticationFailure
	Reconnecting
	Resumed
	Ready
	ForceClosed
	Closed
)

var connStateNames = [...]string{"Idle", "Authenticated", "AuthenticationFailure", "Reconnecting", "Resumed", "Ready", "ForceClosed", "Closed"}

func (s ConnState) String() string {
	if s >= 0 && int(s) < len(connStateNames) {
		return connStateNames[s]
	}
	return "ConnState(" + strconv.Itoa(int(s)) + ")"
}

// Event is anything the chat connection reports on Events().
type Event interface{ isChatEvent() }

// StateEvent reports a change of the connection state; Err says why, when there is a
// reason (the drop that caused Reconnecting, the failure behind Closed, …).
type StateEvent struct {
	State ConnState
	Err   error
}

// MessageEvent is a new chat message: the stanza mapped to the stored-message shape.
// Delayed is set when the server marked it as delivered late (offline storage);
// Carbon when it is a copy of a message this user sent from another resource;
// ReceivedCarbon when it is a copy of a message someone sent to another resource of
// this user (XEP-0280 <received/>), acknowledged there and not here.
type MessageEvent struct {
	Message        Message
	Delayed        bool
	Carbon         bool
	ReceivedCarbon bool
	Stanza         *MessageStanza
}

func (StateEvent) isChatEvent()   {}
func (MessageEvent) isChatEvent() {}

// eventQueue delivers events in order to one consumer without ever blocking the
// producer: events wait in an unbounded slice, and a pump goroutine (alive only while
// events are waiting) hands them to the channel. Once the consumer says it is gone
// (discard), waiting and later events are dropped, so no pump waits forever.
type eventQueue struct {
	out  chan Event
	gone chan struct{} // closed by discard

	mu        sync.Mutex
	items     []Event
	pumping   bool
	discarded bool
}

func newEventQueue() *eventQueue {
	return &eventQueue{out: make(chan Event), gone: make(chan struct{})}
}

// discard ends delivery for good: the consumer reads no more events.
func (q *eventQueue) discard() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.discarded {
		q.discarded = true
		q.items = nil
		close(q.gone)
	}
}

func (q *eventQueue) push(e Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.discarded {
		return
	}
	q.items = append(q.items, e)
	if !q.pumping {
		q.pumping = true
		go q.pump()
	}
}

func (q *eventQueue) pump() {
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			q.pumping = false
			q.items = nil // let a burst's backing array go
			q.mu.Unlock()
			return
		}
		e := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		q.mu.Unlock()
		select {
		case q.out <- e:
		case <-q.gone:
			q.mu.Lock()
			q.pumping = false
			q.mu.Unlock()
			return
		}
	}
}
