package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// Edits, deletes, reactions and reads go through the cache's persistent action
// queue: applied to the cache at once (the UI shows them), sent once and in order
// when the connection is live, and undone with a notice if the server refuses.

// Edit changes the text of one of the user's own messages.
func (e *Engine) Edit(ctx context.Context, messageID, text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("sync: an edit cannot empty a message; delete it instead")
	}
	return e.enqueue(ctx, cache.Action{Kind: cache.ActionEdit, MessageID: messageID, Text: text})
}

// Delete removes a message for the user, or for everyone (own messages; admins
// in groups).
func (e *Engine) Delete(ctx context.Context, messageID string, forEveryone bool) error {
	return e.enqueue(ctx, cache.Action{Kind: cache.ActionDelete, MessageID: messageID, ForEveryone: forEveryone})
}

// React toggles the user's reaction on a message: adds emoji, or removes it when
// it is already the user's. A user has one reaction per message, so adding one
// replaces the previous.
func (e *Engine) React(ctx context.Context, messageID, emoji string) error {
	if strings.TrimSpace(emoji) == "" {
		return errors.New("sync: no reaction given")
	}
	me := e.Me()
	m, err := e.db.Message(ctx, messageID)
	if err != nil {
		return fmt.Errorf("sync: reacting to %s: %w", messageID, err)
	}
	if m.Deleted {
		return fmt.Errorf("sync: message %s was deleted", messageID)
	}
	a := cache.Action{Kind: cache.ActionReact, MessageID: messageID}
	mine := m.ReactionsOf(me)
	if slices.Contains(mine, emoji) {
		a.Remove = emoji
	} else {
		a.Add = emoji
		if len(mine) > 0 {
			a.Remove = mine[0]
		}
	}
	return e.enqueue(ctx, a)
}

func (e *Engine) enqueue(ctx context.Context, a cache.Action) error {
	if e.Me() == 0 {
		return errors.New("sync: not logged in")
	}
	if _, err := e.db.EnqueueAction(ctx, a); err != nil {
		return fmt.Errorf("sync: %s of %s: %w", a.Kind, a.MessageID, err)
	}
	e.kickOutbox()
	return nil
}

// drainActions sends the queued actions oldest first. It stops at the first one
// that cannot be sent now (offline, server trouble) to keep the order; one the
// server refuses is dropped, its local effect undone, and the user told. It reports
// whether an action failed for a passing reason (try again later); an action waiting
// for its message is not: the message's confirmation wakes the outbox again.
//
// The queue is read only when an action may be in it: a message sent live wakes the
// outbox too, and reading an empty queue after each was a read per message.
// Cleared before the read, the mark is set again by an action queued meanwhile, and
// stays while anything is left.
func (e *Engine) drainActions(ctx context.Context, chat *cube.Chat) (retry bool) {
	if !e.actionsQueued.Swap(false) {
		return false
	}
	actions, err := e.db.Actions(ctx)
	if err != nil {
		e.actionsQueued.Store(true)
		e.log.Error("reading the action queue", "err", err)
		return true
	}
	if len(actions) > 0 {
		e.actionsQueued.Store(true) // read again next time, when this run has settled them
	}
	for _, a := range actions {
		if ctx.Err() != nil {
			return false
		}
		if a.MessageID != "" {
			if m, err := e.db.Message(ctx, a.MessageID); err == nil && m.State == cache.StatePending {
				return false // its message is still on its way: the next drain sends both
			}
		}
		if !e.settleAction(ctx, chat, a) {
			return true
		}
	}
	return false
}

// settleAction sends one action and records the outcome; false means it failed for
// a passing reason and stays queued (the queue stops there, to keep the order).
func (e *Engine) settleAction(ctx context.Context, chat *cube.Chat, a cache.Action) bool {
	err := e.sendAction(ctx, chat, a)
	switch {
	case err == nil:
		if err := e.db.DoneAction(ctx, a); err != nil && !errors.Is(err, cache.ErrNotFound) {
			e.log.Error("finishing an action", "id", a.ID, "err", err)
			return false
		}
	case isRetryable(err):
		e.log.Info("action will be retried", "kind", a.Kind, "message", a.MessageID, "err", err)
		if err := e.db.FailAction(ctx, a.ID, err.Error()); err != nil && !errors.Is(err, cache.ErrNotFound) {
			e.log.Error("recording an action failure", "id", a.ID, "err", err)
		}
		return false
	default:
		e.refuseAction(ctx, a, err)
	}
	return true
}

// refuseAction drops an action the server will never accept and tells the user.
func (e *Engine) refuseAction(ctx context.Context, a cache.Action, cause error) {
	e.log.Warn("action refused by the server", "kind", a.Kind, "message", a.MessageID, "err", cause)
	if _, err := e.db.DropAction(ctx, a.ID, cause.Error()); err != nil && !errors.Is(err, cache.ErrNotFound) {
		e.log.Error("dropping a refused action", "id", a.ID, "err", err)
	}
	what := map[cache.ActionKind]string{
		cache.ActionEdit: "Edit", cache.ActionDelete: "Delete", cache.ActionReact: "Reaction",
		cache.ActionRead: "Read mark", cache.ActionDelivered: "Delivery mark",
	}[a.Kind]
	e.notice(what+" failed: "+userReason(cause), cause)
}

// sendAction performs one action on the server.
func (e *Engine) sendAction(ctx context.Context, chat *cube.Chat, a cache.Action) error {
	switch a.Kind {
	case cache.ActionEdit:
		return e.sendEdit(ctx, chat, a)
	case cache.ActionDelete:
		return e.rest(ctx, func(c *cube.Client) error {
			res, err := c.DeleteMessages(ctx, []string{a.MessageID}, a.ForEveryone)
			if err != nil {
				return err
			}
			if slices.Contains(res.WrongPermissions.IDs, a.MessageID) {
				return &cube.Error{Status: http.StatusForbidden, Messages: []string{"you may not delete this message"}}
			}
			return nil // NotFound: it is gone already, which is what was asked
		})
	case cache.ActionReact:
		return e.rest(ctx, func(c *cube.Client) error {
			return c.UpdateReaction(ctx, a.MessageID, a.Add, a.Remove)
		})
	case cache.ActionRead, cache.ActionDelivered:
		u := cube.MessageUpdate{Read: a.Kind == cache.ActionRead, Delivered: a.Kind == cache.ActionDelivered}
		err := e.rest(ctx, func(c *cube.Client) error {
			return c.UpdateMessages(ctx, a.DialogID, a.MessageIDs, u)
		})
		if err != nil || a.Kind != cache.ActionRead {
			return err
		}
		e.touchAfterRead(a.DialogID)
		// A REST read tells nobody: the senders' ticks turn on chat markers, and
		// the read stays queued until the server has taken them.
		msgs, err := e.queuedReadMarkers(ctx, a)
		if err != nil {
			return err
		}
		return e.sendReadMarkers(ctx, a.DialogID, msgs)
	}
	return fmt.Errorf("sync: unknown action kind %q", a.Kind)
}

// sendEdit stores the new text on the server (REST, which answers clearly when it
// refuses) and then tells the dialog live (XMPP <replace/>; the server applies the
// same text again, harmlessly). The server does not announce a REST edit, so the edit
// stays queued until the server has taken the <replace/> (its acknowledgement, or a
// ping answered after it): a peer that stays online never catches up, and an edit
// whose relay was lost on a dropped connection was shown to nobody else until their
// next reconnect (the short soak's "a cache missed an edit", docs/reliability.md).
// Sent again, the REST update only repeats the same text.
func (e *Engine) sendEdit(ctx context.Context, chat *cube.Chat, a cache.Action) error {
	err := e.rest(ctx, func(c *cube.Client) error {
		return c.UpdateMessages(ctx, a.DialogID, []string{a.MessageID}, cube.MessageUpdate{Message: &a.Text})
	})
	if err != nil {
		return err
	}
	d, err := e.db.Dialog(ctx, a.DialogID)
	if err != nil {
		return nil // stored on the server; nobody to relay to
	}
	last := d.LastMessageID == a.MessageID
	if _, err := chat.EditMessage(ctx, cube.OutgoingEdit{Peer: peerOfDialog(*d, e.Me()),
		MessageID: a.MessageID, Body: a.Text, Last: last}); err != nil {
		return fmt.Errorf("relaying the edit: %w", err)
	}
	if err := chat.Confirm(ctx); err != nil {
		return fmt.Errorf("confirming the edit's relay: %w", err)
	}
	return nil
}

// isRetryable tells a passing failure (no answer, server trouble, throttling,
// session) from a refusal that trying again cannot change.
func isRetryable(err error) bool {
	var rest *cube.Error
	if !errors.As(err, &rest) {
		return true // transport failure, timeout, cancelled
	}
	return rest.Status >= 500 || rest.Status == http.StatusTooManyRequests || rest.Status == http.StatusUnauthorized ||
		rest.Status == http.StatusRequestTimeout
}

// userReason words a server refusal for a notice.
func userReason(err error) string {
	var rest *cube.Error
	if errors.As(err, &rest) {
		switch rest.Status {
		case http.StatusForbidden:
			return "not allowed"
		case http.StatusNotFound:
			return "the message no longer exists"
		}
		if len(rest.Messages) > 0 {
			return strings.Join(rest.Messages, "; ")
		}
	}
	return err.Error()
}
