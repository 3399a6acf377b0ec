package app

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cubechat/cubechat/cache"
)

// The dialog list at scale (10k dialogs, docs/benchmarks.md): reading and decoding
// every dialog costs tens of milliseconds and megabytes, so the list
//   - paints its first listHead rows before reading the rest, at the first load;
//   - on a change that names its dialogs (a message, a read, a rename), re-reads
//     only those and moves them to their place, instead of reading all of them again.
// Changes to users, the account or the block list still reload it whole.

// listHead is how many dialogs the first paint of the list reads.
const listHead = 100

// patchMax is how many dialogs a change may name and still be patched in; a larger
// one (a catch-up) reloads the list in one query.
const patchMax = 200

// dialogModel is the dialog list's data as its loaders (the first load and the
// change pump) keep it. They hand the UI goroutine snapshots: a slice or map, once
// handed out, is never modified again.
type dialogModel struct {
	mu      sync.Mutex
	dialogs []cache.Dialog // every visible dialog, in cache.DialogOrder
	users   map[int64]cache.User
	full    bool // dialogs is the whole list (not nothing, nor only its head)

	fullReads atomic.Int64 // whole-list reads, for tests
}

// reloadDialogs reads the whole dialog list and the users it mentions, off the UI
// goroutine, and shows them. The first time, the list's head is shown first.
func (m *mainScreen) reloadDialogs() {
	m.model.mu.Lock()
	defer m.model.mu.Unlock()
	m.reloadDialogsLocked()
}

func (m *mainScreen) reloadDialogsLocked() {
	ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
	defer cancel()
	if m.model.dialogs == nil {
		head, err := m.db.NewestDialogs(ctx, listHead)
		if err == nil && len(head) == listHead {
			m.publishDialogs(ctx, head, m.loadUsers(ctx, head))
		}
	}
	dialogs, err := m.db.VisibleDialogs(ctx)
	if err != nil {
		if m.ctx.Err() == nil {
			m.log.Error("loading dialogs", "err", err)
		}
		return
	}
	m.model.fullReads.Add(1)
	m.model.dialogs, m.model.users, m.model.full = dialogs, m.loadUsers(ctx, dialogs), true
	m.publishDialogs(ctx, m.model.dialogs, m.model.users)
	m.trim.poke() // reading 10k dialogs left garbage behind
}

// patchDialogs re-reads the given dialogs and puts them in their place in the list
// (a hidden or removed one leaves it), and re-reads the given users (their last
// activity changed), or reloads the whole list when it has not been read yet.
func (m *mainScreen) patchDialogs(ids []string, users []int64) {
	m.model.mu.Lock()
	defer m.model.mu.Unlock()
	if !m.model.full {
		m.reloadDialogsLocked()
		return
	}
	ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
	defer cancel()
	changed, err := m.db.DialogsByID(ctx, ids)
	if err != nil {
		if m.ctx.Err() == nil {
			m.log.Warn("loading changed dialogs", "err", err)
		}
		m.reloadDialogsLocked()
		return
	}
	drop := make(map[string]bool, len(ids))
	for _, id := range ids {
		drop[id] = true
	}
	next := make([]cache.Dialog, 0, len(m.model.dialogs)+len(changed))
	for _, d := range m.model.dialogs {
		if !drop[d.ID] {
			next = append(next, d)
		}
	}
	for _, d := range changed {
		if !d.Hidden {
			at, _ := slices.BinarySearchFunc(next, d, cache.DialogOrder)
			next = slices.Insert(next, at, d)
		}
	}
	m.model.dialogs = next
	// The users of the changed dialogs are read again too, not only the new ones:
	// the whole reload this replaces kept every name and last activity current.
	m.model.users = m.refreshUsers(ctx, append(mentionedUsers(changed, m.me), users...), m.model.users)
	m.publishDialogs(ctx, m.model.dialogs, m.model.users)
}

// refreshUsers returns known with the given users read (again) into it (a new map;
// known is not modified), or known itself when there are none.
func (m *mainScreen) refreshUsers(ctx context.Context, ids []int64, known map[int64]cache.User) map[int64]cache.User {
	if len(ids) == 0 {
		return known
	}
	fresh, err := m.db.Users(ctx, ids)
	if err != nil {
		m.log.Warn("loading users", "err", err)
		return known
	}
	out := maps.Clone(known)
	maps.Copy(out, fresh)
	return out
}

// loadUsers reads the users dialogs mention.
func (m *mainScreen) loadUsers(ctx context.Context, dialogs []cache.Dialog) map[int64]cache.User {
	users, err := m.db.Users(ctx, mentionedUsers(dialogs, m.me))
	if err != nil {
		m.log.Warn("loading users", "err", err)
		users = map[int64]cache.User{}
	}
	return users
}

// publishDialogs hands a snapshot of the list to the UI goroutine, with the unread
// total for the window title and the tray.
func (m *mainScreen) publishDialogs(ctx context.Context, dialogs []cache.Dialog, users map[int64]cache.User) {
	unread, err := m.engine.UnreadTotal(ctx)
	if err != nil {
		unread = 0
		for _, d := range dialogs {
			unread += d.UnreadCount
		}
	}
	chats := trayChatsOf(dialogs, m.me, users)
	runOnUI(func() {
		m.applyDialogs(dialogs, users)
		m.ui.win.SetTitle(windowTitle(unread))
		m.ui.tray.set(unread, chats)
	})
}

// patchableChange lists the dialogs a change touches when the list can be patched
// for it: not for users, the account or the block list (names and previews may
// change everywhere), nor for more than patchMax dialogs. A change of last activity
// is patched by re-reading those users (the header's "last seen" comes from them).
func patchableChange(c cache.Change) ([]string, bool) {
	if c.Users || c.Account || c.Privacy || len(c.Activity) > patchMax {
		return nil, false
	}
	ids := slices.Clone(c.Dialogs)
	for id := range c.Messages {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return ids, len(ids) <= patchMax
}
