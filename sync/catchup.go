package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/backoff"
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
// catch-up (only transient failures fail it: a permanent answer about one item
// settles that item, see catchup_settle.go) is retried with jittered exponential
// backoff for as long as this connection lives.
func (e *Engine) afterReady(ctx context.Context, chat *cube.Chat, gen uint64) {
	e.activity.reapply()
	e.flushPendingReads(ctx)
	if err := e.syncBlockList(ctx, chat); err != nil {
		e.log.Warn("reading the block list", "err", err)
	}
	e.resubscribeActivity(ctx, chat)
	retry := backoff.New(backoff.Policy{Min: minBackoff, Max: maxBackoff})
	for first := true; ; first = false {
		err := e.catchUp(ctx, gen)
		if first {
			e.goLive(ctx, chat)
		}
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			e.status.Update(func(s *Status) { s.Syncing = false; s.Err = nil })
			return
		}
		wait := retry.Next()
		e.log.Warn("catch-up failed", "err", err, "retry_in", wait)
		e.status.Update(func(s *Status) { s.Err = err })
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
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

// catchUp brings the cache up to date after a (re)connect. Everything it follows is
// a clock the server assigns: first the dialogs whose updated_at moved since the
// dialog cursor, then, for each of them, the messages whose updated_at moved since
// that dialog's cursor — new ones (however old their sender-stamped date_sent),
// edits, deletions, reactions and markers alike (the server moves a dialog's
// updated_at with every change to its messages). Dialogs the server no longer
// lists for the user are settled, and the unread counts refreshed.
func (e *Engine) catchUp(ctx context.Context, gen uint64) error {
	e.passMu.Lock()
	defer e.passMu.Unlock()
	dialogsCursor, err := e.readCursor(ctx, dialogsCursorKey)
	if err != nil {
		return err
	}
	firstSync := dialogsCursor == 0
	dialogs, listedAfter, err := e.updatedDialogs(ctx, dialogsCursor)
	if err != nil {
		return err
	}
	known, err := e.knownSince(ctx, dialogs)
	if err != nil {
		return err
	}
	if err := e.storeDialogs(ctx, dialogs); err != nil {
		return fmt.Errorf("sync: storing dialogs: %w", err)
	}

	if err := e.catchUpDialogs(ctx, gen, planByActivity(dialogs), known, firstSync); err != nil {
		return err
	}

	// Only now that every listed dialog's messages are in may the dialog cursor move:
	// a dialog left half-done must be listed again next time.
	newest := dialogsCursor
	for _, d := range dialogs {
		newest = max(newest, unixSeconds(d.UpdatedAt.Time))
	}
	newest = nextDialogCursor(newest, listedAfter)
	if newest > dialogsCursor || firstSync {
		if err := e.db.SetCursor(ctx, dialogsCursorKey, strconv.FormatInt(max(newest, 1), 10)); err != nil {
			return fmt.Errorf("sync: saving the dialog cursor: %w", err)
		}
	}
	if err := e.settleUnlistedDialogs(ctx); err != nil {
		return err
	}
	return e.refreshUnread(ctx)
}

// catchUpDialogs catches up the planned dialogs, catchUpWorkers at a time in plan
// order, their pages stored by one pageWriter. It returns the first failure that
// must fail the pass (and stops the rest), or the context's error if the pass was
// cancelled before every dialog was done.
func (e *Engine) catchUpDialogs(ctx context.Context, gen uint64, plan []cube.Dialog, known map[string]int64, firstSync bool) error {
	if len(plan) == 0 {
		return nil
	}
	passCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := e.startPageWriter(passCtx)
	defer w.close()
	next := make(chan cube.Dialog)
	var mu gosync.Mutex
	var failed error
	var wg gosync.WaitGroup
	for range min(catchUpWorkers, len(plan)) {
		wg.Go(func() {
			for d := range next {
				if err := e.catchUpOne(passCtx, gen, d, known[d.ID], firstSync, w); err != nil {
					mu.Lock()
					if failed == nil {
						failed = err
					}
					mu.Unlock()
					cancel()
				}
			}
		})
	}
feed:
	for _, d := range plan {
		select {
		case next <- d:
		case <-passCtx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if failed != nil {
		return failed
	}
	return ctx.Err() // every dialog is done unless the pass was cancelled
}

// catchUpOne catches up one dialog. A permanent answer settles the dialog (or skips
// it this time) instead of failing the pass; only what must be retried is returned.
func (e *Engine) catchUpOne(ctx context.Context, gen uint64, d cube.Dialog, known int64, firstSync bool, w *pageWriter) error {
	err := e.catchUpDialog(ctx, gen, d, known, firstSync, w)
	var refused *dialogRefused
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refused):
		return e.settleDialog(ctx, d.ID, refused.err)
	case isPermanent(err):
		// A final answer about something inside the dialog that nothing settled:
		// skip the dialog this time (its cursor stays) rather than wedge the rest.
		e.log.Warn("catch-up skipped a dialog", "dialog", d.ID, "err", err)
		return nil
	default:
		return fmt.Errorf("sync: catching up dialog %q (%s): %w", d.Name, d.ID, err)
	}
}

// updatedDialogs lists the dialogs updated at or after cursor (unix seconds; 0 = all).
// The cursor has one-second resolution: gte plus an idempotent upsert never misses a
// dialog updated in the same second as the last one seen. It also returns a time by
// the server's clock before which the listing had not begun (zero: unknown): the
// first page's Date header less the request's round trip.
//
// Pages go on from the newest second listed, skipping only what was listed of that
// second: paging by skip from the start would pass over a dialog whenever one listed
// earlier moved to the end meanwhile (every later one shifts a place down). A dialog
// that moves while listed comes again; its newer copy replaces the older.
func (e *Engine) updatedDialogs(ctx context.Context, cursor int64) ([]cube.Dialog, time.Time, error) {
	f := cube.DialogFilter{SortAsc: "updated_at", Limit: pageSize}
	if cursor > 0 {
		f.UpdatedAtGTE = time.Unix(cursor, 0)
	}
	var out []cube.Dialog
	at := map[string]int{} // dialog id → its index in out
	var listedAfter time.Time
	var last int64 // the newest second listed so far
	atLast := 0    // how many listed dialogs were updated in that second
	for first := true; ; first = false {
		var list *cube.DialogList
		asked := time.Now()
		err := e.rest(ctx, func(c *cube.Client) (err error) {
			list, err = c.ListDialogs(ctx, f)
			return err
		})
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("sync: listing dialogs: %w", err)
		}
		if first && !list.ServerTime.IsZero() {
			listedAfter = list.ServerTime.Add(-time.Since(asked))
		}
		for _, d := range list.Items {
			if i, ok := at[d.ID]; ok {
				out[i] = d
			} else {
				at[d.ID] = len(out)
				out = append(out, d)
			}
			switch ts := unixSeconds(d.UpdatedAt.Time); {
			case ts > last:
				last, atLast = ts, 1
			case ts == last:
				atLast++
			}
		}
		if len(list.Items) < pageSize {
			return out, listedAfter, nil
		}
		f.UpdatedAtGTE, f.Skip = time.Unix(last, 0), atLast
	}
}

// closedAfter is how long after a second ends no change stamped in it can still be
// committed: the server stamps a change when it starts on it and commits it within
// its lock timeout (10 s on cubeserver), and its clocks agree far better than this.
const closedAfter = time.Minute

// nextDialogCursor is the dialog cursor after a complete pass whose newest listed
// dialog moved in second newest. The cursor normally stays on that second, which
// updated_at[gte] lists again next time with every dialog that moved in it (a change
// stamped in it may have committed after the listing); each is asked for its
// messages once more. When the listing began long after that second ended
// (listedAfter, by the server's clock), nothing can still be stamped in it, and the
// cursor moves past it: a reconnect with nothing new then lists no dialog, however
// many moved in that one second.
func nextDialogCursor(newest int64, listedAfter time.Time) int64 {
	if newest > 0 && !listedAfter.IsZero() && !listedAfter.Before(time.Unix(newest+1, 0).Add(closedAfter)) {
		return newest + 1
	}
	return newest
}

// planByActivity orders the listed dialogs newest activity first, so the dialogs the
// user sees on top fill first.
func planByActivity(dialogs []cube.Dialog) []cube.Dialog {
	out := slices.Clone(dialogs)
	slices.SortStableFunc(out, func(a, b cube.Dialog) int {
		return int(cube.UnixAny(deref(b.LastMessageDateSent)).Unix() - cube.UnixAny(deref(a.LastMessageDateSent)).Unix())
	})
	return out
}

// knownSince reads, for the listed dialogs the cache already held, the updated_at
// the server gave them when last stored: a dialog first stored by a live message has
// no cursor yet, and everything that changed in it since then must still be asked.
func (e *Engine) knownSince(ctx context.Context, dialogs []cube.Dialog) (map[string]int64, error) {
	out := map[string]int64{}
	for _, d := range dialogs {
		if e.cursors.current(d.ID) != 0 {
			continue
		}
		old, err := e.db.Dialog(ctx, d.ID)
		if errors.Is(err, cache.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sync: reading dialog %s: %w", d.ID, err)
		}
		if !old.UpdatedAt.IsZero() {
			out[d.ID] = unixSeconds(old.UpdatedAt)
		}
	}
	return out, nil
}

// catchUpDialog fetches what changed in one listed dialog and then, the batch being
// committed, moves its cursor to the dialog's updated_at as listed: the server moves
// that with every change to the dialog's messages, so everything changed after the
// listing is at or after it and is asked for next time. known is the updated_at of
// a dialog cached without a cursor (0 = not cached).
func (e *Engine) catchUpDialog(ctx context.Context, gen uint64, d cube.Dialog, known int64, firstSync bool, w *pageWriter) error {
	cursor := e.cursors.current(d.ID)
	if cursor == 0 {
		cursor = known
	}
	listed := unixSeconds(d.UpdatedAt.Time)
	switch {
	case cursor == 0 && deref(d.LastMessageDateSent) == 0:
		// A new dialog without messages: nothing to fetch.
	case cursor == 0:
		budget := catchUpBudget
		if firstSync {
			budget = firstSyncPage
		}
		if err := e.fetchChanged(ctx, d.ID, time.Time{}, budget, w); err != nil {
			return err
		}
	default:
		if err := e.fetchChanged(ctx, d.ID, cursorTime(cursor), catchUpBudget, w); err != nil {
			return err
		}
	}
	e.cursors.complete(gen, d.ID, listed)
	return nil
}

// cursorTime is the updated_at[gte] bound for a cursor: a second earlier than the
// listed time, so a change the server stamped a hair before its dialog's updated_at
// (both are its clock, in milliseconds; the filter is in seconds) is never missed.
// The upsert makes asking twice harmless.
func cursorTime(cursor int64) time.Time { return time.Unix(cursor-1, 0) }

// fetchChanged fetches the messages of a dialog changed at or after since (zero =
// every message), newest date_sent first, up to budget, handing each page to the
// pass's writer. Each page after the first goes on from the oldest second fetched
// (date_sent[lte] it, skipping the messages of that second already fetched): the
// date_sent order is immutable, and a message that joins the set meanwhile (stored
// or changed after the dialog was listed) moves the dialog's updated_at past the
// listed value the cursor takes, so the next catch-up asks for it even if a page
// boundary passed it by. If the budget runs out, what was not fetched is recorded as
// a gap that scrolling back-fills.
//
// The next page is requested while the writer stores the last (the request depends
// only on how many were fetched). Every page is committed before this returns, so
// the caller's cursor still moves only after its batch is stored.
func (e *Engine) fetchChanged(ctx context.Context, dialogID string, since time.Time, budget int, w *pageWriter) error {
	if budget <= 0 {
		return e.recordGap(ctx, dialogID, since, 0)
	}
	listing := newChangesListing(true)
	var pending pendingPages
	// Whatever ends the fetch, no page of the dialog is left in flight: a refused
	// dialog is dropped from the cache only after its earlier pages are.
	defer pending.drain(ctx)
	var oldest int64 // the oldest date_sent fetched (0 = none yet)
	atOldest := 0    // how many fetched messages were sent in that second
	fetched := 0
	for {
		f := cube.MessageFilter{
			DialogID:     dialogID,
			UpdatedAtGTE: since,
			SortDesc:     "date_sent",
			Limit:        min(pageSize, budget-fetched),
			Skip:         fetched,
			MarkAsRead:   false, // background sync must not reset unread counts
		}
		if oldest > 0 {
			// Go on from the oldest second fetched, skipping what was fetched of it:
			// the server then skips a few messages, not every one fetched so far.
			f.DateSentLTE, f.Skip = oldest, atOldest
		}
		asked := time.Now()
		page, err := e.listMessages(ctx, f)
		if isPermanent(err) {
			return &dialogRefused{err}
		}
		if err != nil {
			return err
		}
		fetched += len(page)
		done, err := w.store(ctx, page, listing, asked)
		if err != nil {
			return err
		}
		pending = append(pending, done)
		for _, m := range page {
			switch ts := unixSeconds(cube.UnixAny(m.DateSent)); {
			case oldest == 0 || ts < oldest:
				oldest, atOldest = ts, 1
			case ts == oldest:
				atOldest++
			}
		}
		if err := pending.poll(); err != nil {
			return err
		}
		if len(page) < f.Limit {
			return pending.wait(ctx)
		}
		if fetched >= budget {
			break // the budget is spent
		}
	}
	if err := pending.wait(ctx); err != nil {
		return err
	}
	return e.recordGap(ctx, dialogID, since, oldest)
}

// pendingPages are the outcomes of the pages a fetch handed to the writer, in order.
type pendingPages []<-chan error

// poll collects the outcomes already there, to stop early after a failed store.
func (p *pendingPages) poll() error {
	for len(*p) > 0 {
		select {
		case err := <-(*p)[0]:
			*p = (*p)[1:]
			if err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// wait waits until every page is stored, or for the first failure.
func (p *pendingPages) wait(ctx context.Context) error {
	for len(*p) > 0 {
		select {
		case err := <-(*p)[0]:
			*p = (*p)[1:]
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// drain waits until every page is answered, whatever the outcomes.
func (p *pendingPages) drain(ctx context.Context) {
	for len(*p) > 0 {
		select {
		case <-(*p)[0]:
			*p = (*p)[1:]
		case <-ctx.Done():
			return
		}
	}
}

// recordGap notes that messages of a dialog changed since since and sent at or before
// oldest (the oldest date_sent fetched) were not fetched. The gap starts at the
// oldest date_sent among them, one request away.
func (e *Engine) recordGap(ctx context.Context, dialogID string, since time.Time, oldest int64) error {
	var from time.Time
	if !since.IsZero() {
		first, err := e.listMessages(ctx, cube.MessageFilter{DialogID: dialogID, UpdatedAtGTE: since,
			SortAsc: "date_sent", Limit: 1, MarkAsRead: false})
		if err != nil {
			return err
		}
		if len(first) > 0 {
			from = cube.UnixAny(first[0].DateSent)
		}
	}
	to := time.Unix(oldest, 0)
	if from.After(to) {
		from = to
	}
	if err := e.db.AddGap(ctx, dialogID, from, to); err != nil {
		return fmt.Errorf("recording a gap: %w", err)
	}
	e.log.Info("catch-up budget reached, gap recorded", "dialog", dialogID, "from", from, "to", to)
	return nil
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
