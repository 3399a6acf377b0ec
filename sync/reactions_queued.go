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

// overlayQueuedReactions applies withQueuedReactions with the queue as it is now.
func (e *Engine) overlayQueuedReactions(ctx context.Context, messageID string, server map[string][]int64) map[string][]int64 {
	queued, err := e.db.Actions(ctx)
	if err != nil {
		e.log.Warn("reading queued actions", "err", err)
		return server
	}
	return withQueuedReactions(server, queued, messageID, e.Me())
}
