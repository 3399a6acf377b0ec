package sync

import "github.com/cubechat/cubechat/internal/feed"

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

// newEventFeed fans engine events out to subscribers without ever blocking the
// engine: each subscriber has its own queue of up to maxQueuedEvents.
func newEventFeed() *feed.Feed[Event] {
	return feed.New(maxQueuedEvents, func(waiting []Event, next Event) []Event {
		return dropOldest(append(waiting, next))
	})
}

// SubscribeEvents returns the engine's ephemeral event stream and a function that
// ends the subscription (and closes the channel). The engine never waits for a
// reader; a reader that falls far behind loses the oldest typing events first.
func (e *Engine) SubscribeEvents() (<-chan Event, func()) { return e.events.Subscribe() }

// dropOldest removes the oldest typing event, or else the oldest event.
func dropOldest(items []Event) []Event {
	for i, ev := range items {
		if _, ok := ev.(TypingEvent); ok {
			return append(items[:i], items[i+1:]...)
		}
	}
	return items[1:]
}

// notice publishes a user-facing notice.
func (e *Engine) notice(text string, err error) {
	e.log.Info("notice", "text", text, "err", err)
	e.events.Publish(NoticeEvent{Text: text, Err: err})
}
