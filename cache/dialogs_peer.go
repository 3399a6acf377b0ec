package cache

import (
	"context"
	"database/sql"
	"errors"
)

// privateType is a private (1-1) dialog's type on the wire (docs/protocol.md §3.1).
const privateType = 3

// PrivateDialogWith returns the id of the private dialog whose occupants include
// peer ("" when none is stored). 1-1 chat signals such as typing name no dialog, only
// their sender; one query finds it instead of decoding every dialog.
func (db *DB) PrivateDialogWith(ctx context.Context, peer int64) (string, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT id FROM dialogs WHERE type = ?
		AND EXISTS (SELECT 1 FROM json_each(occupant_ids) WHERE value = ?) ORDER BY id LIMIT 1`,
		privateType, peer).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", db.read("find the private dialog with a user", err)
	}
	return id, nil
}
