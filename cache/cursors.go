package cache

import (
	"context"
	"database/sql"
	"errors"
)

// Cursor returns the sync engine's value for key, or "" when it was never set.
func (db *DB) Cursor(ctx context.Context, key string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `SELECT value FROM cursors WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", db.read("read cursor "+key, err)
	}
	return v, nil
}

// SetCursor stores value under key. Cursors are the engine's bookkeeping, so
// setting one publishes no change.
func (db *DB) SetCursor(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("cache: empty cursor key")
	}
	return db.write(ctx, "save cursor "+key, func(tx *txn, _ *Change) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cursors (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}
