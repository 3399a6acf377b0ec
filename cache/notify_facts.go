package cache

import (
	"context"
	"database/sql"
	gosync "sync"
	"sync/atomic"
)

// NotifyDialog is what a desktop notification shows of a dialog, and whether it
// may show one at all.
type NotifyDialog struct {
	Name                 string
	Type                 int
	Muted                bool // local only (SetMuted)
	NotificationsEnabled bool // the server-side push setting
}

// UserName is how a user is named: what a notification's title needs of a profile.
type UserName struct {
	Login, FullName string
}

// notifyMemo keeps what NotifyFacts read until a write may have changed it. Every
// write of a dialog's row as a whole, of its mute settings or existence, and of
// users, calls changed once it has committed (or failed); the few live writes that
// run per message (a message, a confirmation, a marker) touch none of those
// columns, so at a few thousand messages a second the facts are read once, not once
// per message (docs/benchmarks.md, issue 10, round 4).
type notifyMemo struct {
	gen atomic.Uint64 // moved by changed

	mu      gosync.Mutex
	at      uint64 // the gen the maps below were read at
	dialogs map[string]NotifyDialog
	names   map[int64]UserName
	absent  map[int64]bool // users the cache did not hold
}

// changed tells the memo that what it holds may be out of date.
func (m *notifyMemo) changed() { m.gen.Add(1) }

// lookup returns the memoised facts of a dialog and users, ok false when any of
// them is not memoised at the current generation.
func (m *notifyMemo) lookup(dialogID string, users []int64) (d NotifyDialog, names map[int64]UserName, ok bool) {
	gen := m.gen.Load()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at != gen || m.dialogs == nil {
		return NotifyDialog{}, nil, false
	}
	if d, ok = m.dialogs[dialogID]; !ok {
		return NotifyDialog{}, nil, false
	}
	names = make(map[int64]UserName, len(users))
	for _, id := range users {
		if n, held := m.names[id]; held {
			names[id] = n
		} else if !m.absent[id] {
			return NotifyDialog{}, nil, false
		}
	}
	return d, names, true
}

// keep memoises facts read at generation gen: nothing when a write has moved the
// generation since (what was read may already be out of date).
func (m *notifyMemo) keep(gen uint64, dialogID string, d NotifyDialog, users []int64, names map[int64]UserName) {
	if m.gen.Load() != gen {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at != gen || m.dialogs == nil {
		m.at = gen
		m.dialogs, m.names, m.absent = map[string]NotifyDialog{}, map[int64]UserName{}, map[int64]bool{}
	}
	m.dialogs[dialogID] = d
	for _, id := range users {
		if n, held := names[id]; held {
			m.names[id] = n
		} else {
			m.absent[id] = true
		}
	}
}

// NotifyFacts reads, in one query, a dialog's notification facts and the names of
// those of users the cache holds (the others are not in the map). It is what each
// run of live messages reads for its notifications: Dialog and Users read every
// column of both, in two queries (docs/benchmarks.md, issue 10, round 4). The
// answer is memoised until a write may change it (notifyMemo). ErrNotFound when
// the dialog is not cached.
func (db *DB) NotifyFacts(ctx context.Context, dialogID string, users []int64) (NotifyDialog, map[int64]UserName, error) {
	if d, names, ok := db.notify.lookup(dialogID, users); ok {
		return d, names, nil
	}
	gen := db.notify.gen.Load() // before the read: a write during it makes keep drop it
	d, names, err := db.readNotifyFacts(ctx, dialogID, users)
	if err == nil {
		db.notify.keep(gen, dialogID, d, users, names)
	}
	return d, names, err
}

// readNotifyFacts is NotifyFacts' query.
func (db *DB) readNotifyFacts(ctx context.Context, dialogID string, users []int64) (NotifyDialog, map[int64]UserName, error) {
	const what = "read notification facts"
	list, err := encodeJSON(users)
	if err != nil {
		return NotifyDialog{}, nil, err
	}
	if list == "" {
		list = "[]"
	}
	rows, err := db.r.QueryContext(ctx, `SELECT d.name, d.type, d.muted, d.notifications_enabled, u.id, u.login, u.full_name
		FROM dialogs d LEFT JOIN users u ON u.id IN (SELECT value FROM json_each(?2))
		WHERE d.id = ?1`, dialogID, list)
	if err != nil {
		return NotifyDialog{}, nil, db.read(what, err)
	}
	defer rows.Close()
	var d NotifyDialog
	found := false
	names := map[int64]UserName{}
	for rows.Next() {
		var id sql.NullInt64
		var login, fullName sql.NullString
		if err := rows.Scan(&d.Name, &d.Type, &d.Muted, &d.NotificationsEnabled, &id, &login, &fullName); err != nil {
			return NotifyDialog{}, nil, db.read(what, err)
		}
		found = true
		if id.Valid {
			names[id.Int64] = UserName{Login: login.String, FullName: fullName.String}
		}
	}
	if err := rows.Err(); err != nil {
		return NotifyDialog{}, nil, db.read(what, err)
	}
	if !found {
		return NotifyDialog{}, nil, ErrNotFound
	}
	return d, names, nil
}
