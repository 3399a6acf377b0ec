package sync

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/livestage"
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

// handleRun handles first and, when it is a message or a marker, the events of the
// same kind waiting behind it. It returns the event that ended the run (to be
// handled next; nil for none) and false once the chat is closed for good or its
// events have ended.
//
// Each run waits first for a queueing write of Send that is under way: the
// message's stanza leaves while its row is written (outbox_fresh.go), so an answer
// about it (a marker, a bounce, a group's echo) can arrive before the row exists.
func (p *pipeline) handleRun(ctx context.Context, first cube.Event, events <-chan cube.Event) (cube.Event, bool) {
	switch ev := first.(type) {
	case cube.MessageEvent:
		run, next, open := gatherRun(ev, events)
		livestage.Mark(livestage.Take, ev.Message.ID)
		p.e.fresh.awaitWrite(ctx)
		p.e.storeLive(ctx, p.chat, run)
		return next, open
	case cube.MarkerEvent:
		run, next, open := gatherRun(ev, events)
		p.e.fresh.awaitWrite(ctx)
		p.e.queueMarkers(ctx, run) // written by a worker (markers_queue.go)
		return next, open
	}
	p.e.fresh.awaitWrite(ctx)
	return nil, p.handle(ctx, first)
}

// gatherRun takes the events of first's kind already waiting behind it, up to
// liveRunMax in all. It returns them, the waiting event of another kind that ended
// the run (nil for none), and false when the events ended.
func gatherRun[T cube.Event](first T, events <-chan cube.Event) (run []T, next cube.Event, open bool) {
	run = []T{first}
	for len(run) < liveRunMax {
		select {
		case ev, ok := <-events:
			if !ok {
				return run, nil, false
			}
			same, isSame := ev.(T)
			if !isSame {
				return run, ev, true
			}
			run = append(run, same)
			continue
		default:
		}
		break
	}
	return run, nil, true
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
		if m.SenderID == me && e.fresh.retracted(m.ID) {
			continue // Send failed to store it and it is being deleted (outbox_retract.go)
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
	livestage.Mark(livestage.Store, msgs[0].ID)
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
	// The write has woken the cache's subscribers (the screen among them): let them
	// run before the bookkeeping below, which the user does not wait for.
	livestage.Mark(livestage.Stored, msgs[0].ID)
	runtime.Gosched()
	e.ackDelivered(chat, wire, me)
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
	facts := e.notifyFactsOf(ctx, msgs, isNew, senders) // read once the screen has the change
	for i, m := range msgs {
		if !isNew[i] {
			continue
		}
		e.notifyLive(m, true, facts)
		if m.SenderID != me && !wire[i].Carbon && e.viewing(m.DialogID) {
			e.readOnScreen(ctx, chat, wire[i].Message)
		}
	}
}

// liveDialogs tells, for each dialog of msgs, whether the cache held it (known
// from dialog_facts.go after the first read). An unknown one is fetched first, so
// that a message never shows without its dialog.
func (e *Engine) liveDialogs(ctx context.Context, msgs []cache.Message) map[string]bool {
	known := map[string]bool{}
	for _, m := range msgs {
		if _, seen := known[m.DialogID]; seen {
			continue
		}
		_, err := e.factsOf(ctx, m.DialogID)
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

// storeMarkers records a run of markers in one cache write, a set for each dialog,
// user and kind among them (markers only add, so their order within the run does
// not matter). Each passes the membership check of handleSignal first.
func (e *Engine) storeMarkers(ctx context.Context, run []cube.MarkerEvent) {
	type group struct {
		dialogID string
		userID   int64
		kind     cache.MarkerKind
	}
	var order []group
	ids := map[group][]string{}
	var events []cube.MarkerEvent // the ones kept
	allowed := e.markersAllowed(ctx, run)
	for i, ev := range run {
		if !allowed[i] {
			continue
		}
		if ev.MessageID == "" || ev.UserID == 0 {
			continue
		}
		g := group{dialogID: ev.DialogID, userID: ev.UserID, kind: cache.MarkerDelivered}
		if ev.Kind == cube.MarkerRead {
			g.kind = cache.MarkerRead
		}
		if _, ok := ids[g]; !ok {
			order = append(order, g)
		}
		ids[g] = append(ids[g], ev.MessageID)
		events = append(events, ev)
	}
	sets := make([]cache.MarkerSet, len(order))
	for i, g := range order {
		sets[i] = cache.MarkerSet{DialogID: g.dialogID, MessageIDs: ids[g], UserID: g.userID, Kind: g.kind}
	}
	var failed error // a full disk: the markers are fetched again later
	if _, err := e.db.AddMarkerSets(ctx, sets); err != nil && !errors.Is(err, cache.ErrNotFound) {
		e.log.Warn("live markers not stored", "markers", len(events), "err", err)
		if errors.Is(err, cache.ErrDiskFull) {
			failed = err
		}
	}
	me := e.Me()
	for _, ev := range events {
		if failed != nil {
			e.missedLive(ctx, e.eventDialogID(ctx, ev), time.Time{}, failed)
		}
		if ev.UserID == me && ev.Kind == cube.MarkerRead {
			// Read on another device: the server lowered this dialog's count.
			e.touchUnreadOf(ctx, ev.DialogID, ev.MessageID)
		}
	}
}

// markersAllowed is signalAllowed (signal_members.go) for each marker of a run. A
// marker naming its dialog is checked against that dialog (the cache applies it
// only to a message of that dialog); one that does not is checked against its
// message's, read for the whole run in one query. A private dialog's members are
// known from dialog_facts.go; another dialog is read once.
func (e *Engine) markersAllowed(ctx context.Context, run []cube.MarkerEvent) []bool {
	allowed := make([]bool, len(run))
	var ids []string
	for _, ev := range run {
		if ev.DialogID == "" && ev.MessageID != "" {
			ids = append(ids, ev.MessageID)
		}
	}
	msgs, err := e.db.MessagesByID(ctx, ids)
	if err != nil {
		e.log.Warn("live event not checked", "event", "marker", "err", err)
		return allowed
	}
	me := e.Me()
	dialogs := map[string]*cache.Dialog{}
	for i, ev := range run {
		dialogID := ev.DialogID
		if m := msgs[ev.MessageID]; dialogID == "" && m != nil {
			dialogID = m.DialogID
		}
		if ev.UserID == 0 || dialogID == "" {
			allowed[i] = true
			continue
		}
		fact, err := e.factsOf(ctx, dialogID)
		switch {
		case errors.Is(err, cache.ErrNotFound):
			allowed[i] = true // not cached: nothing to check against
			continue
		case err != nil:
			e.log.Warn("live event not checked", "event", "marker", "err", err)
			continue
		case fact.typ == cube.DialogPrivate && fact.me == me:
			allowed[i] = ev.UserID == me || ev.UserID == fact.peer
		default:
			d, read := dialogs[dialogID]
			if !read {
				if d, err = e.db.Dialog(ctx, dialogID); err != nil && !errors.Is(err, cache.ErrNotFound) {
					e.log.Warn("live event not checked", "event", "marker", "err", err)
					continue
				}
				dialogs[dialogID] = d
			}
			allowed[i] = d == nil || memberOf(d, ev.UserID, me)
		}
		if !allowed[i] {
			e.log.Warn("signal from outside the dialog ignored", "kind", "marker", "dialog", dialogID,
				"message", ev.MessageID, "from", ev.UserID)
		}
	}
	return allowed
}

// ackDelivered sends the delivered markers SDK 6's AutoDeliver sends on receipt
// (cube.MessageEvent.WantsDelivered), once the messages are stored: a sender sees
// "delivered" only for what this device holds, and the marker's round trip (the
// server stores it, the sender records it) no longer competes with storing the
// message (docs/benchmarks.md, issue 10). They go out from a worker, in order:
// the pipeline never waits on the socket.
func (e *Engine) ackDelivered(chat *cube.Chat, run []cube.MessageEvent, me int64) {
	var acks []cube.Message
	for _, ev := range run {
		if ev.WantsDelivered(me) {
			acks = append(acks, ev.Message)
		}
	}
	if len(acks) == 0 {
		return
	}
	e.bg.Go(func() {
		// One write for the run (cube.Chat.SendDeliveredAll).
		if err := chat.SendDeliveredAll(e.bg.Context(), acks); err != nil {
			e.log.Debug("delivered markers not sent", "markers", len(acks), "first", acks[0].ID, "err", err)
		}
	})
}
