package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

const (
	// pageSize is the page length of catch-up requests (the API's default and max).
	pageSize = 100
	// catchUpBudget bounds how many messages one dialog's catch-up fetches; older
	// missed history becomes a gap that scrolling back-fills.
	catchUpBudget = 1000
	// firstSyncPage is how much history a first login fetches per dialog.
	firstSyncPage = 50
)

// afterReady runs on every Ready: it sends queued read marks, tells the server
// whether the user is active, catches up, and then lets the outbox send. A failed
// catch-up is retried (with backoff) for as long as this connection lives.
func (e *Engine) afterReady(ctx context.Context, chat *cube.Chat, gen uint64) {
	e.activity.reapply()
	e.flushPendingReads(ctx)
	if err := e.syncBlockList(ctx, chat); err != nil {
		e.log.Warn("reading the block list", "err", err)
	}
	e.resubscribeActivity(ctx, chat)
	backoff := minBackoff
	for first := true; ; first = false {
		err := e.catchUp(ctx, gen)
		if first {
			e.goLive(ctx, chat)
		}
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			e.status.set(func(s *Status) { s.Syncing = false; s.Err = nil })
			return
		}
		e.log.Warn("catch-up failed", "err", err, "retry_in", backoff)
		e.status.set(func(s *Status) { s.Err = err })
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// goLive hands the chat to the outbox, unless the connection dropped meanwhile.
func (e *Engine) goLive(ctx context.Context, chat *cube.Chat) {
	e.mu.Lock()
	if ctx.Err() == nil {
		e.live = chat
	}
	e.mu.Unlock()
	e.kickOutbox()
}

// catchUp brings the cache up to date after a (re)connect: first the dialogs updated
// since the dialog cursor, then the missed messages of each dialog whose last message
// is at or after its message cursor.
func (e *Engine) catchUp(ctx context.Context, gen uint64) error {
	dialogsCursor, err := e.readCursor(ctx, dialogsCursorKey)
	if err != nil {
		return err
	}
	firstSync := dialogsCursor == 0
	dialogs, err := e.updatedDialogs(ctx, dialogsCursor)
	if err != nil {
		return err
	}
	if err := e.storeDialogs(ctx, dialogs); err != nil {
		return fmt.Errorf("sync: storing dialogs: %w", err)
	}

	plan := e.messagePlan(dialogs)
	e.cursors.plan(gen, plan)
	for _, id := range plan {
		budget := catchUpBudget
		if firstSync && e.cursors.current(id) == 0 {
			budget = firstSyncPage
		}
		newest, err := e.catchUpDialog(ctx, id, e.cursors.current(id), budget)
		if err != nil {
			return fmt.Errorf("sync: catching up dialog %s: %w", id, err)
		}
		e.cursors.complete(gen, id, newest)
	}

	// Only now that every listed dialog's messages are in may the dialog cursor move:
	// a dialog left half-done must be listed again next time.
	newest := dialogsCursor
	for _, d := range dialogs {
		newest = max(newest, unixSeconds(d.UpdatedAt.Time))
	}
	if newest > dialogsCursor || firstSync {
		if err := e.db.SetCursor(ctx, dialogsCursorKey, strconv.FormatInt(max(newest, 1), 10)); err != nil {
			return fmt.Errorf("sync: saving the dialog cursor: %w", err)
		}
	}
	// Older messages changed while we were away: edits, deletions, reactions.
	if err := e.catchUpChanges(ctx); err != nil {
		return err
	}
	return e.refreshUnread(ctx)
}

// updatedDialogs lists the dialogs updated at or after cursor (unix seconds; 0 = all).
// The cursor has one-second resolution: gte plus an idempotent upsert never misses a
// dialog updated in the same second as the last one seen.
func (e *Engine) updatedDialogs(ctx context.Context, cursor int64) ([]cube.Dialog, error) {
	f := cube.DialogFilter{SortAsc: "updated_at", Limit: pageSize}
	if cursor > 0 {
		f.UpdatedAtGTE = time.Unix(cursor, 0)
	}
	var out []cube.Dialog
	for {
		var list *cube.DialogList
		err := e.rest(ctx, func(c *cube.Client) (err error) {
			list, err = c.ListDialogs(ctx, f)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("sync: listing dialogs: %w", err)
		}
		out = append(out, list.Items...)
		if len(list.Items) < pageSize {
			return out, nil
		}
		f.Skip += len(list.Items)
	}
}

// messagePlan picks the dialogs whose last message is at or after their message
// cursor, newest activity first (the dialogs the user sees on top fill first).
func (e *Engine) messagePlan(dialogs []cube.Dialog) []string {
	type entry struct {
		id   string
		last int64
	}
	var picked []entry
	for _, d := range dialogs {
		last := unixSeconds(cube.UnixAny(deref(d.LastMessageDateSent)))
		if deref(d.LastMessageDateSent) == 0 || last < e.cursors.current(d.ID) {
			continue
		}
		picked = append(picked, entry{d.ID, last})
	}
	slices.SortStableFunc(picked, func(a, b entry) int { return int(b.last - a.last) })
	out := make([]string, len(picked))
	for i, p := range picked {
		out[i] = p.id
	}
	return out
}

// catchUpDialog fetches the messages of a dialog sent at or after cursor, newest
// first, up to budget, storing each page as it comes (de-duplicated by id). If the
// budget runs out before the cursor is reached, the rest is recorded as a gap. It
// returns the newest date_sent fetched (the new cursor candidate).
func (e *Engine) catchUpDialog(ctx context.Context, dialogID string, cursor int64, budget int) (int64, error) {
	me := e.Me()
	var newest, oldest int64
	fetched := 0
	for fetched < budget {
		f := cube.MessageFilter{
			DialogID:    dialogID,
			DateSentGTE: cursor,
			SortDesc:    "date_sent",
			Limit:       min(pageSize, budget-fetched),
			// Skip, not date_sent[lte]: more than a page of messages may share one
			// second, and a time bound would then never move.
			Skip:       fetched,
			MarkAsRead: false, // background sync must not reset unread counts
		}
		page, err := e.listMessages(ctx, f)
		if err != nil {
			return 0, err
		}
		if err := e.storeMessages(ctx, page, me); err != nil {
			return 0, err
		}
		for _, m := range page {
			ts := unixSeconds(cube.UnixAny(m.DateSent))
			newest = max(newest, ts)
			if oldest == 0 || ts < oldest {
				oldest = ts
			}
		}
		fetched += len(page)
		if len(page) < f.Limit {
			return newest, nil
		}
	}
	from := time.Time{}
	if cursor > 0 {
		from = time.Unix(cursor, 0)
	}
	if err := e.db.AddGap(ctx, dialogID, from, time.Unix(oldest, 0)); err != nil {
		return 0, fmt.Errorf("recording a gap: %w", err)
	}
	e.log.Info("catch-up budget reached, gap recorded", "dialog", dialogID, "from", cursor, "to", oldest)
	return newest, nil
}

// listMessages is one page of GET /chat/Message.
func (e *Engine) listMessages(ctx context.Context, f cube.MessageFilter) ([]cube.Message, error) {
	var list *cube.MessageList
	err := e.rest(ctx, func(c *cube.Client) (err error) {
		list, err = c.ListMessages(ctx, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// storeMessages upserts one page of server messages in one transaction and returns
// nothing but errors: the cache's change feed tells the UI.
func (e *Engine) storeMessages(ctx context.Context, page []cube.Message, me int64) error {
	_, err := e.upsertWire(ctx, page, me)
	return err
}

// upsertWire maps and upserts server messages, returning how many were new.
func (e *Engine) upsertWire(ctx context.Context, page []cube.Message, me int64) (int, error) {
	if len(page) == 0 {
		return 0, nil
	}
	msgs := make([]cache.Message, 0, len(page))
	for _, m := range page {
		if m.ID == "" || m.ChatDialogID == "" {
			e.log.Warn("server message without id or dialog, skipped", "id", m.ID)
			continue
		}
		out := messageFromWire(m, me)
		old, err := e.db.Message(ctx, m.ID)
		switch {
		case err == nil:
			keepEdits(&out, old, m)
		case !errors.Is(err, cache.ErrNotFound):
			return 0, fmt.Errorf("reading stored message %s: %w", m.ID, err)
		}
		msgs = append(msgs, out)
	}
	n, err := e.db.UpsertMessages(ctx, msgs)
	if err != nil {
		return 0, fmt.Errorf("storing messages: %w", err)
	}
	return n, nil
}
