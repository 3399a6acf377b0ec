package sync

import (
	"slices"
	gosync "sync"
	"time"
)

// liveReactionLog remembers, for a short while, the reactions that arrived live and
// when they were stored. A reaction list asked for before one of them may not hold
// it (the server answered first, or the list crossed the live stanza on the way);
// written as it is, it would undo the live reaction in the cache until the next
// reconnect. The reactions stored after the list was asked for are laid over it.
type liveReactionLog struct {
	mu      gosync.Mutex
	entries []liveReaction
}

type liveReaction struct {
	messageID   string
	userID      int64
	add, remove string
	at          time.Time
}

// liveReactionKeep is how long a live reaction is remembered: longer than any
// reaction list request takes.
const liveReactionKeep = 2 * time.Minute

func (l *liveReactionLog) add(r liveReaction) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := r.at.Add(-liveReactionKeep)
	l.entries = slices.DeleteFunc(l.entries, func(e liveReaction) bool { return e.at.Before(cutoff) })
	l.entries = append(l.entries, r)
}

// since lists the live reactions to a message stored at or after asked, in order.
func (l *liveReactionLog) since(messageID string, asked time.Time) []liveReaction {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []liveReaction
	for _, e := range l.entries {
		if e.messageID == messageID && !e.at.Before(asked) {
			out = append(out, e)
		}
	}
	return out
}

// withLiveReactions lays live reactions over a list from the server (not modified).
func withLiveReactions(server map[string][]int64, live []liveReaction) map[string][]int64 {
	out := make(map[string][]int64, len(server))
	for emoji, users := range server {
		out[emoji] = slices.Clone(users)
	}
	for _, r := range live {
		if r.remove != "" {
			out[r.remove] = slices.DeleteFunc(out[r.remove], func(id int64) bool { return id == r.userID })
			if len(out[r.remove]) == 0 {
				delete(out, r.remove)
			}
		}
		if r.add != "" && !slices.Contains(out[r.add], r.userID) {
			out[r.add] = append(out[r.add], r.userID)
		}
	}
	return out
}
