package sync

import (
	"context"
	"slices"

	"github.com/cubechat/cubechat/cache"
)

// withQueuedReactions lays this user's reactions that are still queued (not yet
// accepted by the server) over a reaction list just read from the server. Without it
// a refresh during catch-up would undo a queued reaction in the cache; the server
// never echoes the reaction back to its sender, so the cache would stay wrong after
// the action is sent. Actions are applied in the order they were queued.
func withQueuedReactions(server map[string][]int64, queued []cache.Action, messageID string, me int64) map[string][]int64 {
	out := make(map[string][]int64, len(server))
	for emoji, users := range server {
		out[emoji] = slices.Clone(users)
	}
	for _, a := range queued {
		if a.Kind != cache.ActionReact || a.MessageID != messageID {
			continue
		}
		if a.Remove != "" {
			out[a.Remove] = slices.DeleteFunc(out[a.Remove], func(id int64) bool { return id == me })
			if len(out[a.Remove]) == 0 {
				delete(out, a.Remove)
			}
		}
		if a.Add != "" && !slices.Contains(out[a.Add], me) {
			out[a.Add] = append(out[a.Add], me)
		}
	}
	return out
}

// queuedReactions is this user's reaction actions on a message that are queued now.
func (e *Engine) queuedReactions(ctx context.Context, messageID string) []cache.Action {
	queued, err := e.db.Actions(ctx)
	if err != nil {
		e.log.Warn("reading queued actions", "err", err)
		return nil
	}
	return slices.DeleteFunc(queued, func(a cache.Action) bool {
		return a.Kind != cache.ActionReact || a.MessageID != messageID
	})
}

// overlayQueuedReactions lays over a list just read from the server the reactions
// queued when it was asked for (before) and those queued now. One sent meanwhile
// (the outbox runs beside the catch-up) has left the queue, and the list may or may
// not hold it: applying it again does no harm, as adding a reaction the user has or
// removing one he has not changes nothing, while leaving it out would undo it in the
// cache for good (the server never echoes it).
func (e *Engine) overlayQueuedReactions(ctx context.Context, messageID string, server map[string][]int64, before []cache.Action) map[string][]int64 {
	return withQueuedReactions(server, queuedThenAndNow(before, e.queuedReactions(ctx, messageID)), messageID, e.Me())
}

// queuedThenAndNow is the union of two snapshots of the queue, in queue order.
func queuedThenAndNow(before, now []cache.Action) []cache.Action {
	out := slices.Clone(before)
	for _, a := range now {
		if !slices.ContainsFunc(out, func(b cache.Action) bool { return b.ID == a.ID }) {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b cache.Action) int { return int(a.ID - b.ID) })
	return out
}
