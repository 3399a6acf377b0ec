package cache

import (
	"cmp"
	"slices"

	"github.com/cubechat/cubechat/internal/feed"
)

// Change says what a committed write touched, so that subscribers reload only
// that. Dialogs lists dialogs whose row (or gaps) changed; Messages maps a dialog
// id to the ids of its messages that were inserted, removed, or changed in
// content or state. Reactions and Markers name messages whose reactions, or
// delivered/read user lists, changed: a change of only those is not in Messages
// (a marker that also moves a message's State is in both).
type Change struct {
	Dialogs  []string
	Messages map[string][]string // dialog → message ids
	Users    bool                // user profiles
	Account  bool

	Reactions      map[string][]string // dialog → message ids
	Markers        map[string][]string // dialog → message ids
	Activity       []int64             // users whose last activity or online state changed
	Drafts         []string            // dialogs whose draft changed
	Privacy        bool                // the block list
	SystemMessages bool                // system messages arrived or were dismissed
	Actions        bool                // the queue of outgoing actions (edits, deletes, …)
}

// Empty tells whether the change names nothing.
func (c Change) Empty() bool {
	return len(c.Dialogs) == 0 && len(c.Messages) == 0 && !c.Users && !c.Account &&
		len(c.Reactions) == 0 && len(c.Markers) == 0 && len(c.Activity) == 0 &&
		len(c.Drafts) == 0 && !c.Privacy && !c.SystemMessages && !c.Actions
}

func (c *Change) addDialog(id string) {
	c.Dialogs = append(c.Dialogs, id)
}

func (c *Change) addMessage(dialogID, id string) {
	addTo(&c.Messages, dialogID, id)
}

func (c *Change) addReaction(dialogID, id string) {
	addTo(&c.Reactions, dialogID, id)
}

func (c *Change) addMarker(dialogID, id string) {
	addTo(&c.Markers, dialogID, id)
}

func addTo(m *map[string][]string, dialogID, id string) {
	if *m == nil {
		*m = map[string][]string{}
	}
	(*m)[dialogID] = append((*m)[dialogID], id)
}

// merge returns the union of a and b with duplicate ids removed. It does not
// modify either argument (a published change is shared by all subscribers).
func merge(a, b Change) Change {
	return Change{
		Dialogs:        uniq(append(slices.Clone(a.Dialogs), b.Dialogs...)),
		Messages:       mergeIDMaps(a.Messages, b.Messages),
		Users:          a.Users || b.Users,
		Account:        a.Account || b.Account,
		Reactions:      mergeIDMaps(a.Reactions, b.Reactions),
		Markers:        mergeIDMaps(a.Markers, b.Markers),
		Activity:       uniq(append(slices.Clone(a.Activity), b.Activity...)),
		Drafts:         uniq(append(slices.Clone(a.Drafts), b.Drafts...)),
		Privacy:        a.Privacy || b.Privacy,
		SystemMessages: a.SystemMessages || b.SystemMessages,
		Actions:        a.Actions || b.Actions,
	}
}

// mergeIDMaps is the union of two dialog → ids maps, ids sorted and unique;
// nil when both are empty.
func mergeIDMaps(a, b map[string][]string) map[string][]string {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := make(map[string][]string, len(a)+len(b))
	for _, m := range []map[string][]string{a, b} {
		for d, ids := range m {
			out[d] = append(out[d], ids...)
		}
	}
	for d, ids := range out {
		out[d] = uniq(ids)
	}
	return out
}

// uniq sorts ids and drops repeats; nil stays nil.
func uniq[T cmp.Ordered](ids []T) []T {
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// newChangeFeed fans changes out to subscribers. Each subscriber has room for one
// Change: a change committed while one waits is merged into it. So a slow reader gets
// fewer, larger changes, nothing is lost, and a writer never waits for a reader.
func newChangeFeed() *feed.Feed[Change] { return feed.NewCoalescing(merge) }

// Subscribe returns a channel of changes committed from now on, and a function
// that ends the subscription and closes the channel (safe to call twice).
// Closing the DB ends every subscription.
func (db *DB) Subscribe() (<-chan Change, func()) {
	return db.changes.Subscribe()
}

// publishChange hands a committed write's change to the subscribers, sorted and
// without duplicates; an empty one is not sent. The change is the caller's no
// longer: it is tidied in place rather than copied (a copy was 2 KiB of garbage per
// live message, docs/benchmarks.md, "Issue 10, live path, round 6").
func (db *DB) publishChange(c Change) {
	if c.Empty() {
		return
	}
	c.Dialogs, c.Activity, c.Drafts = uniq(c.Dialogs), uniq(c.Activity), uniq(c.Drafts)
	for _, m := range []map[string][]string{c.Messages, c.Reactions, c.Markers} {
		for d, ids := range m {
			m[d] = uniq(ids)
		}
	}
	db.changes.Publish(c)
}
