package sync

import gosync "sync"

// Event is something the UI shows but the cache does not keep: typing, desktop
// notifications, problem notices and system messages as they arrive.
type Event interface{ isEngineEvent() }

// TypingEvent: UserID started or stopped typing in DialogID. Typing=false also
// comes by itself about 10 s after the last composing signal (a peer that
// vanished never sends "paused").
type TypingEvent struct {
	DialogID string
	UserID   int64
	Typing   bool
}

// NotifyEvent asks the UI to show a desktop notification. The engine has already
// applied the policy (live, new, not mine, not muted, not on screen).
type NotifyEvent struct {
	DialogID, MessageID string
	Title, Body         string
}

// NoticeEvent is a user-facing line about a problem or a fact ("Message to Bob
// was blocked", "Upload failed: …"). Err carries the cause, when there is one.
type NoticeEvent struct {
	Text string
	Err  error
}

// SystemMessageEvent is a system message that just arrived (it is also stored
// in the cache's system messages).
type SystemMessageEvent struct {
	From   int64
	Body   string
	Params map[string]any
}

func (TypingEvent) isEngineEvent()        {}
func (NotifyEvent) isEngineEvent()        {}
func (NoticeEvent) isEngineEvent()        {}
func (SystemMessageEvent) isEngineEvent() {}

// maxQueuedEvents bounds what one slow subscriber holds. Past it the oldest typing
// event is dropped (a newer one supersedes it anyway); only a queue made of nothing
// but other events loses its oldest one.
const maxQueuedEvents = 256

// eventFeed fans engine events out to subscribers without ever blocking the
// engine: each subscriber has its own bounded queue and a pump goroutine.
type eventFeed struct {
	mu     gosync.Mutex
	subs   map[*eventSub]struct{}
	closed bool
}

type eventSub struct {
	out  chan Event
	wake chan struct{} // one-slot: events are waiting
	done chan struct{} // closed on unsubscribe

	mu    gosync.Mutex
	items []Event
	once  gosync.Once
}

func newEventFeed() *eventFeed { return &eventFeed{subs: map[*eventSub]struct{}{}} }

// SubscribeEvents returns the engine's ephemeral event stream and a function that
// ends the subscription (and closes the channel). The engine never waits for a
// reader; a reader that falls far behind loses the oldest typing events first.
func (e *Engine) SubscribeEvents() (<-chan Event, func()) { return e.events.subscribe() }

func (f *eventFeed) subscribe() (<-chan Event, func()) {
	s := &eventSub{out: make(chan Event), wake: make(chan struct{}, 1), done: make(chan struct{})}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		close(s.out)
		return s.out, func() {}
	}
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	go s.pump()
	return s.out, func() {
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
		s.stop()
	}
}

func (f *eventFeed) publish(ev Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		s.push(ev)
	}
}

// close ends every subscription (the engine stopped).
func (f *eventFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for s := range f.subs {
		delete(f.subs, s)
		s.stop()
	}
}

func (s *eventSub) stop() { s.once.Do(func() { close(s.done) }) }

func (s *eventSub) push(ev Event) {
	s.mu.Lock()
	s.items = append(s.items, ev)
	if len(s.items) > maxQueuedEvents {
		s.items = dropOldest(s.items)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// dropOldest removes the oldest typing event, or else the oldest event.
func dropOldest(items []Event) []Event {
	for i, ev := range items {
		if _, ok := ev.(TypingEvent); ok {
			return append(items[:i], items[i+1:]...)
		}
	}
	return items[1:]
}

// pump hands queued events to the reader, one at a time, until unsubscribed.
func (s *eventSub) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		var next Event
		if len(s.items) > 0 {
			next = s.items[0]
			s.items[0] = nil
			s.items = s.items[1:]
		}
		s.mu.Unlock()
		if next == nil {
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		select {
		case s.out <- next:
		case <-s.done:
			return
		}
	}
}

// notice publishes a user-facing notice.
func (e *Engine) notice(text string, err error) {
	e.log.Info("notice", "text", text, "err", err)
	e.events.publish(NoticeEvent{Text: text, Err: err})
}
