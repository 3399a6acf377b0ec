package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	gosync "sync"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// activityQueryTimeout bounds one last-activity query or subscription.
const activityQueryTimeout = 10 * time.Second

// watchList is the set of users whose last activity the UI shows; it outlives
// connections (each Ready re-subscribes).
type watchList struct {
	mu  gosync.Mutex
	ids map[int64]bool
}

func newWatchList() *watchList { return &watchList{ids: map[int64]bool{}} }

func (w *watchList) add(id int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	was := w.ids[id]
	w.ids[id] = true
	return !was
}

func (w *watchList) remove(id int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	was := w.ids[id]
	delete(w.ids, id)
	return was
}

func (w *watchList) list() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]int64, 0, len(w.ids))
	for id := range w.ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// WatchLastActivity asks for userID's last activity now and subscribes to its
// changes; the answers land in the cache's users (Online, LastSeen). Offline, the
// watch is remembered and applied on the next connection.
func (e *Engine) WatchLastActivity(ctx context.Context, userID int64) error {
	if userID <= 0 {
		return fmt.Errorf("sync: cannot watch the last activity of user %d", userID)
	}
	e.watch.add(userID)
	// Last activity is read through the user's cached profile: make sure it is there.
	if err := e.ensureUsers(ctx, []int64{userID}); err != nil {
		e.log.Info("fetching a watched user's profile", "user", userID, "err", err)
	}
	chat := e.connChat()
	if chat == nil {
		return nil
	}
	return e.refreshActivity(ctx, chat, userID, true)
}

// UnwatchLastActivity ends the subscription (in the background: the UI is closing
// a view and must not wait).
func (e *Engine) UnwatchLastActivity(userID int64) {
	if !e.watch.remove(userID) {
		return
	}
	chat := e.connChat()
	if chat == nil {
		return
	}
	e.bg.Go(func() {
		ctx, cancel := context.WithTimeout(e.bg.Context(), activityQueryTimeout)
		defer cancel()
		if err := chat.SubscribeLastActivity(ctx, userID, false); err != nil {
			e.log.Debug("unsubscribing last activity", "user", userID, "err", err)
		}
	})
}

// refreshActivity queries userID's last activity into the cache and, with
// subscribe, (re)subscribes to its pushes.
func (e *Engine) refreshActivity(ctx context.Context, chat *cube.Chat, userID int64, subscribe bool) error {
	ctx, cancel := context.WithTimeout(ctx, activityQueryTimeout)
	defer cancel()
	seconds, err := chat.LastActivity(ctx, userID)
	var iqErr *cube.IQError
	switch {
	case err == nil:
		if err := e.db.SetLastActivity(ctx, userID, seconds, time.Now()); err != nil {
			return fmt.Errorf("sync: saving last activity of %d: %w", userID, err)
		}
	case errors.As(err, &iqErr):
		// Never online, or hidden by privacy: nothing to show, but the
		// subscription still tells when that changes.
		e.log.Debug("last activity refused", "user", userID, "err", err)
	default:
		return fmt.Errorf("sync: last activity of %d: %w", userID, err)
	}
	if !subscribe {
		return nil
	}
	if err := chat.SubscribeLastActivity(ctx, userID, true); err != nil {
		return fmt.Errorf("sync: subscribing to last activity of %d: %w", userID, err)
	}
	return nil
}

// resubscribeActivity runs on Ready: the server forgot our subscriptions with the
// old connection, and what we knew may be stale.
func (e *Engine) resubscribeActivity(ctx context.Context, chat *cube.Chat) {
	for _, id := range e.watch.list() {
		if err := e.refreshActivity(ctx, chat, id, true); err != nil {
			e.log.Info("re-watching last activity", "user", id, "err", err)
		}
	}
}

// forgetOnline clears the Online marks of watched users when the connection drops:
// nobody can vouch for them any more.
func (e *Engine) forgetOnline() {
	ids := e.watch.list()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), activityQueryTimeout)
	defer cancel()
	if err := e.db.SetOffline(ctx, ids); err != nil {
		e.log.Warn("clearing online marks", "err", err)
	}
}

// storeActivityPush handles a last-activity push. ConnectyCube-style pushes say
// "0" both when the user connects and when they disconnect, so a 0 is checked with
// a query. For a user we saw online, any offline answer means they left this very
// second (pushedSeconds).
func (e *Engine) storeActivityPush(ctx context.Context, chat *cube.Chat, ev cube.LastActivityEvent) {
	if ev.UserID == 0 {
		return
	}
	now := time.Now()
	seconds := ev.Seconds
	if seconds == 0 {
		qctx, cancel := context.WithTimeout(ctx, activityQueryTimeout)
		answer, err := chat.LastActivity(qctx, ev.UserID)
		cancel()
		if err == nil {
			seconds = answer
		}
	}
	seconds = pushedSeconds(seconds, e.seenOnline(ctx, ev.UserID))
	if err := e.db.SetLastActivity(ctx, ev.UserID, seconds, now); err != nil {
		e.log.Warn("saving last activity", "user", ev.UserID, "err", err)
	}
}

// pushedSeconds is what a push (with its follow-up query) means for a user the cache
// shows online: a push is sent when the state flips, so they were here until this
// moment and left now (1 second), whatever idle time the server counts; a 0 answer
// about them, too, means they just left. For anyone else the answer stands.
func pushedSeconds(seconds int64, wasOnline bool) int64 {
	if wasOnline && seconds != 1 {
		return 1
	}
	return seconds
}

// seenOnline tells whether the cache shows userID online.
func (e *Engine) seenOnline(ctx context.Context, userID int64) bool {
	users, err := e.db.Users(ctx, []int64{userID})
	if err != nil {
		return false
	}
	return users[userID].Online
}
