package sync

import (
	"context"
	"errors"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// Messages that arrive together are stored together. When the pipeline takes a
// message event, the message events already waiting behind it (a burst, or a
// catch-up of the server's stream after a resume) join it, up to liveRunMax, and
// are stored in one cache write that also counts them unread; a write per
// message was most of the receiver's cost (docs/benchmarks.md, issue 10). The run
// ends at the first event of another kind, which is handled after it: events still
// take effect in the order they came, so an edit, a marker or a deletion of a
// message always finds it stored.

// liveRunMax bounds a run, so that one write stays short.
const liveRunMax = 100

// handleRun handles first and, when it is a message, the messages waiting behind it.
// It returns the event that ended the run (to be handled next; nil for none) and
// false once the chat is closed for good or its events have ended.
func (p *pipeline) handleRun(ctx context.Context, first cube.Event, events <-chan cube.Event) (cube.Event, bool) {
	msg, ok := first.(cube.MessageEvent)
	if !ok {
		return nil, p.handle(ctx, first)
	}
	run := []cube.MessageEvent{msg}
	for len(run) < liveRunMax {
		select {
		case ev, open := <-events:
			if !open {
				p.e.storeLive(ctx, p.chat, run)
				return nil, false
			}
			if m, ok := ev.(cube.MessageEvent); ok {
				run = append(run, m)
				continue
			}
			p.e.storeLive(ctx, p.chat, run)
			return ev, true
		default:
		}
		break
	}
	p.e.storeLive(ctx, p.chat, run)
	return nil, true
}

// storeLive stores a run of live messages and updates their dialogs. Nothing reaches
// the UI but through the cache (and the ephemeral events: a notification, the
// sender's typing ends). A message shown on screen is marked read at once.
func (e *Engine) storeLive(ctx context.Context, chat *cube.Chat, run []cube.MessageEvent) {
	me := e.Me()
	msgs := make([]cache.Message, 0, len(run))
	wire := make([]cube.MessageEvent, 0, len(run))
	for _, ev := range run {
		m := messageFromWire(ev.Message, me)
		if m.ID == "" || m.DialogID == "" {
			e.log.Warn("live message without id or dialog id, not stored", "id", m.ID, "dialog", m.DialogID, "from", m.SenderID)
			continue
		}
		if m.SentAt.IsZero() {
			m.SentAt = time.Now().UTC().Truncate(time.Second)
		}
		msgs = append(msgs, m)
		wire = append(wire, ev)
	}
	if len(msgs) == 0 {
		return
	}
	known := e.liveDialogs(ctx, msgs)
	// Counted unread in the same write: new, from someone else, in a dialog that
	// was cached (the server's copy of a fetched one already counts it) and not on
	// screen.
	isNew, err := e.db.StoreLive(ctx, msgs, func(m cache.Message) bool {
		return known[m.DialogID] && m.SenderID != me && !e.viewing(m.DialogID)
	})
	if err != nil {
		e.log.Error("storing live messages", "messages", len(msgs), "first", msgs[0].ID, "err", err)
		for _, m := range msgs {
			e.missedLive(ctx, m.DialogID, m.SentAt, err)
		}
		return
	}
	e.missed.nudge() // the cache takes writes: fetch what it refused before
	var senders []int64
	for i, m := range msgs {
		if m.SenderID != me {
			e.typing.peer(m.DialogID, m.SenderID, false) // the message ends the typing
		}
		if !isNew[i] {
			continue // a copy we already hold (catch-up, carbon, echo or re-delivery)
		}
		if m.SenderID != me {
			e.unread.touch(m.DialogID) // the badge is a guess; the server's count follows
		}
		if m.SenderID != 0 && m.SenderID != me {
			senders = append(senders, m.SenderID)
		}
	}
	if err := e.ensureUsers(ctx, senders); err != nil {
		e.log.Warn("fetching sender profiles", "users", senders, "err", err)
	}
	for i, m := range msgs {
		if !isNew[i] {
			continue
		}
		e.notifyLive(ctx, m, true)
		if m.SenderID != me && !wire[i].Carbon && e.viewing(m.DialogID) {
			e.readOnScreen(ctx, chat, wire[i].Message)
		}
	}
}

// liveDialogs tells, for each dialog of msgs, whether the cache held it. An unknown
// one is fetched first, so that a message never shows without its dialog.
func (e *Engine) liveDialogs(ctx context.Context, msgs []cache.Message) map[string]bool {
	known := map[string]bool{}
	for _, m := range msgs {
		if _, seen := known[m.DialogID]; seen {
			continue
		}
		_, err := e.db.Dialog(ctx, m.DialogID)
		known[m.DialogID] = err == nil
		if errors.Is(err, cache.ErrNotFound) {
			if ferr := e.fetchDialog(ctx, m.DialogID, m.SentAt); ferr != nil {
				e.log.Warn("fetching the dialog of a live message", "dialog", m.DialogID, "err", ferr)
			}
		} else if err != nil {
			e.log.Error("reading dialog for live message", "dialog", m.DialogID, "err", err)
		}
	}
	return known
}
