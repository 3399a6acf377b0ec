package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// A permanent answer about one item settles that item and never fails the whole
// catch-up: asking again would get the same answer forever, and every later change
// (in other dialogs too) would wait behind it. Only transient failures (the network,
// 5xx, 429, timeouts) fail a pass, which afterReady retries with jittered backoff.

// isPermanent tells whether err is the server's final word about the item asked for:
// it is gone (404, 410), not ours to read (403), or the request about it is refused
// as such (400, 422). A 401 is not: the REST wrapper renews the session.
func isPermanent(err error) bool {
	var e *cube.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusGone,
		http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// dialogRefused is the server's permanent answer to a listing of a dialog's messages:
// an answer about the dialog itself, unlike one about a message or user inside it.
type dialogRefused struct{ err error }

func (r *dialogRefused) Error() string { return "listing the dialog's messages: " + r.err.Error() }
func (r *dialogRefused) Unwrap() error { return r.err }

// isGoneForUs tells whether a permanent answer about a dialog or message means the
// user will never see it again: deleted (404, 410) or no longer an occupant (403).
func isGoneForUs(err error) bool {
	return cube.IsStatus(err, http.StatusNotFound) || cube.IsStatus(err, http.StatusGone) ||
		cube.IsStatus(err, http.StatusForbidden)
}

// settleDialog applies a permanent answer about a dialog. A dialog deleted, or one
// the user was removed from or left elsewhere, is dropped from the cache with what it
// held (the server will never list it for this user again). Any other refusal is
// logged and the dialog skipped this time; the rest of the catch-up goes on.
func (e *Engine) settleDialog(ctx context.Context, dialogID string, cause error) error {
	if !isGoneForUs(cause) {
		e.log.Warn("catch-up skipped a dialog the server refuses to list", "dialog", dialogID, "err", cause)
		return nil
	}
	e.log.Info("dialog gone for this user, dropped from the cache", "dialog", dialogID, "answer", cause)
	if err := e.removeDialog(ctx, dialogID); err != nil {
		return fmt.Errorf("sync: dropping dialog %s (%v): %w", dialogID, cause, err)
	}
	return nil
}

// settleMessage applies a permanent answer about one message: one the server no
// longer has (404, 410) becomes deleted in the cache; any other refusal is logged.
func (e *Engine) settleMessage(ctx context.Context, messageID string, cause error) error {
	if !cube.IsStatus(cause, http.StatusNotFound) && !cube.IsStatus(cause, http.StatusGone) {
		e.log.Warn("catch-up skipped a message the server refuses", "message", messageID, "err", cause)
		return nil
	}
	old, err := e.db.Message(ctx, messageID)
	if errors.Is(err, cache.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sync: reading message %s: %w", messageID, err)
	}
	if old.Deleted && len(old.Reactions) == 0 {
		return nil
	}
	next := *old
	next.Deleted = true
	if _, err := e.db.UpsertMessages(ctx, []cache.Message{next}); err != nil {
		return fmt.Errorf("sync: marking message %s deleted: %w", messageID, err)
	}
	if err := e.db.SetReactions(ctx, messageID, nil); err != nil && !errors.Is(err, cache.ErrNotFound) {
		return fmt.Errorf("sync: clearing reactions of %s: %w", messageID, err)
	}
	return nil
}

// settleUnlistedDialogs finds cached dialogs the server no longer lists for the user:
// deleted by their owner, or the user was removed from them (or left them, or hid
// them, on another device) while this one was away. The dialog pass cannot see them
// — it lists only dialogs the user still has — so one count compares the lists, and
// only when the server lists fewer are the ids compared and each missing dialog
// asked about once: gone for us drops it, still readable means hidden elsewhere.
func (e *Engine) settleUnlistedDialogs(ctx context.Context) error {
	expected, err := e.db.CountServerListed(ctx, cube.DialogPublic)
	if err != nil {
		return fmt.Errorf("sync: counting cached dialogs: %w", err)
	}
	var listedCount int
	err = e.rest(ctx, func(c *cube.Client) (err error) {
		listedCount, err = c.CountDialogs(ctx, cube.DialogFilter{})
		return err
	})
	if err != nil {
		return fmt.Errorf("sync: counting dialogs: %w", err)
	}
	if listedCount >= expected {
		return nil
	}
	all, _, err := e.updatedDialogs(ctx, 0)
	if err != nil {
		return err
	}
	listed := make(map[string]bool, len(all))
	for _, d := range all {
		listed[d.ID] = true
	}
	cached, err := e.db.Dialogs(ctx)
	if err != nil {
		return fmt.Errorf("sync: listing cached dialogs: %w", err)
	}
	for _, d := range cached {
		// Hidden dialogs are not listed; a public dialog the user left stays browsable.
		if d.Hidden || (d.Type == cube.DialogPublic && !d.Subscribed) || listed[d.ID] {
			continue
		}
		_, err := e.listMessages(ctx, cube.MessageFilter{DialogID: d.ID, Limit: 1, MarkAsRead: false})
		switch {
		case err == nil:
			// Readable but not listed: the user hid it (deleted it for themselves).
			if err := e.db.SetHidden(ctx, d.ID, true); err != nil && !errors.Is(err, cache.ErrNotFound) {
				return fmt.Errorf("sync: hiding dialog %s: %w", d.ID, err)
			}
		case isPermanent(err):
			if err := e.settleDialog(ctx, d.ID, err); err != nil {
				return err
			}
		default:
			return fmt.Errorf("sync: asking about dialog %s: %w", d.ID, err)
		}
	}
	return nil
}
