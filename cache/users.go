package cache

import (
	"context"
	"fmt"
)

// userCols are the profile columns, written by UpsertUsers.
const userCols = `id, login, full_name, avatar, updated_at, email, phone, website, blob_id,
	custom_data, last_request_at`

// UpsertUsers stores users, replacing the cached profiles of the same ids
// (LastSeen and Online are not part of a profile and stay as they are).
func (db *DB) UpsertUsers(ctx context.Context, users []User) error {
	if len(users) == 0 {
		return nil
	}
	for i, u := range users {
		if u.ID == 0 {
			return fmt.Errorf("cache: user %d of %d has no id", i+1, len(users))
		}
	}
	defer db.notify.changed() // notify_facts.go: after the commit
	return db.write(ctx, "save users", func(tx *txn, ch *Change) error {
		const upsert = `INSERT INTO users (` + userCols + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET login = excluded.login, full_name = excluded.full_name,
				avatar = excluded.avatar, updated_at = excluded.updated_at, email = excluded.email,
				phone = excluded.phone, website = excluded.website, blob_id = excluded.blob_id,
				custom_data = excluded.custom_data, last_request_at = excluded.last_request_at
			WHERE (login, full_name, avatar, updated_at, email, phone, website, blob_id, custom_data,
					last_request_at) IS NOT
				(excluded.login, excluded.full_name, excluded.avatar, excluded.updated_at, excluded.email,
					excluded.phone, excluded.website, excluded.blob_id, excluded.custom_data,
					excluded.last_request_at)`
		for _, u := range users {
			res, err := tx.ExecContext(ctx, upsert, u.ID, u.Login, u.FullName, u.Avatar, toMillis(u.UpdatedAt),
				u.Email, u.Phone, u.Website, u.BlobID, u.CustomData, toMillis(u.LastRequestAt))
			if err != nil {
				return fmt.Errorf("user %d: %w", u.ID, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				ch.Users = true
			}
		}
		return nil
	})
}

// Users returns the cached users among ids, keyed by id; ids not cached are
// absent. With no ids it returns every cached user.
func (db *DB) Users(ctx context.Context, ids []int64) (map[int64]User, error) {
	out := map[int64]User{}
	const cols = `SELECT u.id, u.login, u.full_name, u.avatar, u.updated_at, u.email, u.phone, u.website,
		u.blob_id, u.custom_data, u.last_request_at, COALESCE(a.last_seen_at, 0), COALESCE(a.online, 0)
		FROM users u LEFT JOIN user_activity a ON a.user_id = u.id`
	if len(ids) == 0 {
		return out, db.scanUsers(ctx, out, cols)
	}
	// One fixed text for any number of ids (a JSON list), so that it is prepared
	// once: the live path asks for a message's sender every time.
	list, err := encodeJSON(ids)
	if err != nil {
		return nil, err
	}
	if err := db.scanUsers(ctx, out, cols+` WHERE u.id IN (SELECT value FROM json_each(?))`, list); err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) scanUsers(ctx context.Context, out map[int64]User, q string, args ...any) error {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return db.read("read users", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u User
		var updated, lastRequest, lastSeen int64
		if err := rows.Scan(&u.ID, &u.Login, &u.FullName, &u.Avatar, &updated, &u.Email, &u.Phone,
			&u.Website, &u.BlobID, &u.CustomData, &lastRequest, &lastSeen, &u.Online); err != nil {
			return db.read("read users", err)
		}
		u.UpdatedAt, u.LastRequestAt, u.LastSeen = fromMillis(updated), fromMillis(lastRequest), fromMillis(lastSeen)
		out[u.ID] = u
	}
	return db.read("read users", rows.Err())
}
