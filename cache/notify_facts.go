package cache

import (
	"context"
	"database/sql"
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

// NotifyFacts reads, in one query, a dialog's notification facts and the names of
// those of users the cache holds (the others are not in the map). It is what each
// run of live messages reads for its notifications: Dialog and Users read every
// column of both, in two queries (docs/benchmarks.md, issue 10, round 4).
// ErrNotFound when the dialog is not cached.
func (db *DB) NotifyFacts(ctx context.Context, dialogID string, users []int64) (NotifyDialog, map[int64]UserName, error) {
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
