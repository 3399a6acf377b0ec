package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/backoff"
	"github.com/cubechat/cubechat/internal/livestage"
)

// outboxBatch is how many queued messages are sent before one confirmation.
const outboxBatch = 50

// confirmTimeout bounds the confirmation of a batch.
const confirmTimeout = 15 * time.Second

// Send stores a message as pending (it shows at once and survives a restart) and
// queues it; the outbox sends it with the same id when the chat is Ready. It returns
// the message id once the message is stored: a nil error means it is in the cache
// and will reach the server. While the chat is live its stanza may already be on
// its way during that write (outbox_fresh.go); if the write fails, Send returns the
// error and the message is not sent, or, when its stanza may have left, deleted on
// the server again (outbox_retract.go).
func (e *Engine) Send(ctx context.Context, dialogID, text string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", errors.New("sync: cannot send an empty message")
	}
	me := e.Me()
	if me == 0 {
		return "", errors.New("sync: not logged in")
	}
	d, err := e.factsOf(ctx, dialogID)
	if err != nil {
		return "", fmt.Errorf("sync: sending to dialog %s: %w", dialogID, err)
	}
	m := cache.Message{
		ID:          cube.NewObjectID(),
		DialogID:    dialogID,
		SenderID:    me,
		RecipientID: d.peer,
		Body:        text,
		SentAt:      composedAt(),
		State:       cache.StatePending,
	}
	livestage.Mark(livestage.Send, m.ID)
	if err := e.queueComposed(ctx, m); err != nil {
		return "", fmt.Errorf("sync: queueing the message: %w", err)
	}
	e.typing.ourMessageSent(dialogID)
	e.wakeOutbox() // queueComposed spoilt the hand-off list unless it holds the message
	return m.ID, nil
}

// queueComposed stores a message Send composed as pending, with its outbox row.
// While the chat is live the outbox writes it within moments: it is recorded as
// written in the same write, so it needs no MarkWritten of its own
// (cache/outbox_live.go), and handed to the outbox in memory as the write starts
// (outbox_fresh.go), so that its stanza leaves while the row is written. Once the
// stanza may have left, the write runs to its end whatever becomes of ctx: a
// cancelled caller must not turn a message on its way into one to retract.
func (e *Engine) queueComposed(ctx context.Context, m cache.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f := e.fresh
	f.queue.Lock()
	defer f.queue.Unlock()
	chat := e.liveChat()
	if chat == nil {
		defer f.spoil()
		return e.db.EnqueueOutgoing(ctx, m)
	}
	h, alone := f.add(chat, m)
	e.wakeOutbox()
	if alone {
		// The idle outbox worker was just readied on this thread's run queue, where
		// it would wait for the write below to end: let it write the stanza first.
		// A busy one takes the message with the rest of the list when it is done.
		runtime.Gosched()
	}
	err := f.write(h, func() error { return e.db.EnqueueWritten(context.WithoutCancel(ctx), m) })
	if errors.Is(err, cache.ErrConfirmed) {
		// The stanza left before the write, and a catch-up stored the server's copy
		// of this new id first: the message is stored and sent, nothing failed.
		err = nil
	}
	if f.settle(h, chat, err) {
		e.wakeOutbox() // the outbox retracts it
	}
	return err
}

// queueing runs write, which queues a message in the cache's outbox (a file
// message, a retry), so that the outbox then reads the cache (outbox_fresh.go).
func (e *Engine) queueing(write func() error) error {
	f := e.fresh
	f.queue.Lock()
	defer f.queue.Unlock()
	defer f.spoil()
	return write()
}

// RetryFailed queues a failed message again, with the same id.
func (e *Engine) RetryFailed(ctx context.Context, messageID string) error {
	m, err := e.db.Message(ctx, messageID)
	if err != nil {
		return fmt.Errorf("sync: retrying message %s: %w", messageID, err)
	}
	if needsUpload(*m) {
		// A file that never reached the server: upload it again first.
		return e.retryUpload(ctx, *m)
	}
	// Requeue under the lock, so that an earlier attempt still being confirmed either
	// settles before the retry is queued or sees the new attempt number and leaves it.
	e.bounceMu.Lock()
	delete(e.bounced, messageID)
	e.retries[messageID]++
	err = e.queueing(func() error { return e.db.Requeue(ctx, messageID) })
	e.bounceMu.Unlock()
	if err != nil {
		return fmt.Errorf("sync: retrying message %s: %w", messageID, err)
	}
	e.kickOutbox()
	return nil
}

// Retry of queued actions that failed while the chat stayed live (REST unreachable,
// server trouble): nothing else may wake the outbox for a long time.
const (
	actionRetryMin = time.Second
	actionRetryMax = 30 * time.Second
)

// runOutbox sends queued messages whenever it is woken and the chat is live. Actions
// that failed for a passing reason are tried again after a growing wait.
func (e *Engine) runOutbox(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	wait := backoff.New(backoff.Policy{Min: actionRetryMin, Max: actionRetryMax})
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.outboxKick:
		case <-retry.C:
		}
		chat := e.liveChat()
		if chat == nil {
			continue // the next Ready wakes the outbox
		}
		e.drainOutbox(ctx, chat)
		retracted := e.retractFailed(ctx, chat)
		// Actions after messages: an edit of a message just sent must find
		// it on the server.
		if e.drainActions(ctx, chat) || !retracted {
			retry.Reset(wait.Next())
		} else {
			retry.Stop()
			wait.Reset()
		}
	}
}

// sentMessage is a message written to the stream, not yet confirmed.
type sentMessage struct {
	id       string
	dialogID string
	sentAt   time.Time
	attempt  int       // e.retries[id] when it was sent
	fresh    *freshMsg // a hand-off whose queueing write may still run, or nil
}

// drainOutbox sends the queue oldest first, in batches. The server's stream
// management acknowledgement covering a batch (or, on a server without it, a ping
// answered after it: XMPP processes a stream's stanzas in order) proves the server
// has processed (stored) every message of it; only then are they marked sent. A lost connection
// leaves them pending: they are sent again, with the same ids and content, on the
// next Ready, and the server stores a repeated id once. An edit or delete made
// meanwhile is a queued action that drainActions sends after the confirmation.
//
// Messages Send queued while live come from the in-memory hand-off list
// (outbox_fresh.go); everything else, and whatever a stopped drain left, from the
// cache, whose queue the list never overtakes.
func (e *Engine) drainOutbox(ctx context.Context, chat *cube.Chat) {
	readCache := false // the cache holds older queued messages than the list
	for ctx.Err() == nil {
		listed, fromList := e.fresh.take(chat, outboxBatch, readCache)
		if fromList && len(listed) == 0 {
			return
		}
		var toSend []cache.Message
		if fromList {
			toSend = make([]cache.Message, len(listed))
			for i, h := range listed {
				toSend[i] = h.msg
			}
		} else {
			var whole bool
			toSend, whole = e.outboxHead(ctx)
			if toSend == nil {
				return
			}
			readCache = !whole
		}
		if !e.sendBatch(ctx, chat, toSend, listed) {
			e.fresh.spoil() // what is left pending is in the cache
			return
		}
	}
}

// outboxHead reads the next batch from the cache's outbox, with its content to
// write; whole tells that it was the rest of the queue. Nil when the queue is
// empty or cannot be read.
func (e *Engine) outboxHead(ctx context.Context) (batch []cache.Message, whole bool) {
	queued, err := e.fresh.readQueue(func() ([]cache.Queued, error) { return e.db.OutboxHead(ctx, outboxBatch) })
	if err != nil {
		e.log.Error("reading the outbox", "err", err)
		return nil, false
	}
	if len(queued) == 0 {
		return nil, true
	}
	batch, err = e.toWrite(ctx, queued)
	if err != nil {
		e.log.Error("marking the outbox batch written", "err", err)
		e.fresh.spoil()
		return nil, false
	}
	return batch, len(queued) < outboxBatch
}

// sendBatch writes a batch to the stream and settles it once confirmed; false
// means stop draining (the connection is lost, or the cache failed). listed holds
// the batch's hand-offs when it came from the in-memory list (nil when read from
// the cache).
func (e *Engine) sendBatch(ctx context.Context, chat *cube.Chat, batch []cache.Message, listed []*freshMsg) bool {
	var sent []sentMessage
	for i, m := range batch {
		var h *freshMsg
		if listed != nil {
			h = listed[i]
		}
		s, retryLater := e.sendQueued(ctx, chat, m, h)
		if retryLater {
			return false
		}
		if s != nil {
			sent = append(sent, *s)
		}
	}
	if listed != nil && len(sent) > 0 {
		e.lingerBeforeAck(ctx) // outbox_linger.go
	}
	return e.confirmSent(ctx, chat, sent)
}

// toWrite returns the content to write for a batch of the queue. Marked written
// before the stream sees them: from now on the server may hold them, so the user's
// edits and deletes queue behind them, and each resend repeats what was first
// written. A batch queued while live was recorded as written when queued, and its
// content to write is already at hand.
func (e *Engine) toWrite(ctx context.Context, batch []cache.Queued) ([]cache.Message, error) {
	out := make([]cache.Message, len(batch))
	ids := make([]string, len(batch))
	written := true
	for i, q := range batch {
		out[i], ids[i] = q.Message, q.ID
		written = written && q.Written
	}
	if written {
		return out, nil
	}
	return e.db.MarkWritten(ctx, ids)
}

// sendQueued writes one queued message to the stream; h is its hand-off when it
// came from the in-memory list. A nil result without retryLater means the message
// was marked failed, or that its queueing write failed before it could leave.
func (e *Engine) sendQueued(ctx context.Context, chat *cube.Chat, m cache.Message, h *freshMsg) (s *sentMessage, retryLater bool) {
	d, err := e.factsOf(ctx, m.DialogID)
	if err != nil {
		if h != nil && e.fresh.outcome(ctx, h) != nil {
			return nil, ctx.Err() != nil // not stored: nothing to mark
		}
		return nil, !e.fail(ctx, m.ID, fmt.Sprintf("unknown dialog %s: %v", m.DialogID, err))
	}
	if h != nil && !e.fresh.leave(h) {
		return nil, false // its queueing write failed: Send returned the error
	}
	if m.RecipientID == 0 && d.me == m.SenderID {
		m.RecipientID = d.peer
	}
	now := time.Now().UTC().Truncate(time.Second)
	attempt := e.attemptOf(m.ID)
	_, err = chat.SendMessage(ctx, outgoingFromCache(m, d.asDialog(m.DialogID), now.Unix()))
	if err == nil {
		return &sentMessage{id: m.ID, dialogID: m.DialogID, sentAt: now, attempt: attempt, fresh: h}, false
	}
	if h != nil && e.fresh.outcome(ctx, h) != nil {
		return nil, isTransientSendError(ctx, chat, err) // not stored; retracted if it left
	}
	if isTransientSendError(ctx, chat, err) {
		e.log.Info("outbox paused: connection lost", "id", m.ID, "err", err)
		return nil, true
	}
	e.log.Warn("message cannot be sent", "id", m.ID, "err", err)
	return nil, !e.fail(ctx, m.ID, err.Error())
}

// fail marks a message failed; false means even that could not be stored.
func (e *Engine) fail(ctx context.Context, id, reason string) bool {
	if err := e.db.MarkFailed(ctx, id, reason); err != nil {
		e.log.Error("marking message failed", "id", id, "err", err)
		return false
	}
	return true
}

// confirmSent waits for the server to confirm the batch (cube.Chat.Confirm: an
// XEP-0198 <a/>, or a ping round trip) and then marks it sent at the date_sent each
// stanza carried. False means stop draining (no confirmation, or the cache failed).
func (e *Engine) confirmSent(ctx context.Context, chat *cube.Chat, sent []sentMessage) bool {
	if len(sent) == 0 {
		return true
	}
	pctx, cancel := context.WithTimeout(ctx, confirmTimeout)
	defer cancel()
	if err := chat.Confirm(pctx); err != nil {
		e.log.Info("outbox batch unconfirmed, kept pending", "messages", len(sent), "err", err)
		return false
	}
	sent, ok := e.stored(ctx, sent)
	if !ok {
		return false
	}
	if err := e.markSent(ctx, sent); err != nil {
		e.log.Error("marking messages sent", "messages", len(sent), "err", err)
		return false
	}
	return true
}

// stored leaves out of sent the hand-offs whose queueing write failed (Send
// returned the error, and the message is retracted): nothing about a message is
// recorded before its row has committed. It waits for writes still running; false
// means ctx ended first.
func (e *Engine) stored(ctx context.Context, sent []sentMessage) ([]sentMessage, bool) {
	kept := sent[:0]
	for _, s := range sent {
		if s.fresh != nil {
			if err := e.fresh.outcome(ctx, s.fresh); err != nil {
				if ctx.Err() != nil {
					return nil, false
				}
				continue
			}
		}
		kept = append(kept, s)
	}
	return kept, true
}

// attemptOf is the current send attempt of a message (how often it was retried).
func (e *Engine) attemptOf(id string) int {
	e.bounceMu.Lock()
	defer e.bounceMu.Unlock()
	return e.retries[id]
}

// markSent marks a confirmed batch sent in one cache transaction, leaving out each
// message that bounced meanwhile (the bounce and the confirmation race on
// different goroutines) or that the user retried after that bounce: the retry is
// queued and must go out, not be settled by this old confirmation.
func (e *Engine) markSent(ctx context.Context, sent []sentMessage) error {
	e.bounceMu.Lock()
	defer e.bounceMu.Unlock()
	marks := make([]cache.SentMark, 0, len(sent))
	var seconds []cache.Second // of the marked messages that name their dialog
	var ownIDs, others []string
	for _, s := range sent {
		if e.bounced[s.id] || e.retries[s.id] != s.attempt {
			continue
		}
		marks = append(marks, cache.SentMark{ID: s.id, SentAt: s.sentAt})
		if s.dialogID != "" && !s.sentAt.IsZero() {
			seconds = append(seconds, cache.Second{DialogID: s.dialogID, SentAt: s.sentAt})
			ownIDs = append(ownIDs, s.id)
		} else {
			others = append(others, s.id)
		}
	}
	if err := e.db.MarkSentAll(ctx, marks); err != nil {
		return err
	}
	e.relistCrowded(ctx, e.own.confirmed(seconds, ownIDs), others)
	return nil
}

// isTransientSendError tells a lost connection (retry on the next Ready) from a
// message that can never be sent as it is.
func isTransientSendError(ctx context.Context, chat *cube.Chat, err error) bool {
	var netErr net.Error
	switch {
	case ctx.Err() != nil,
		errors.Is(err, cube.ErrNotConnected),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrClosedPipe), errors.Is(err, net.ErrClosed),
		errors.As(err, &netErr):
		return true
	}
	return chat.State() != cube.Ready
}
