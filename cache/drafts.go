package cache

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SetDraft keeps the text typed but not sent in a dialog, so that it survives a
// restart; empty text removes the draft. The dialog need not be cached.
func (db *DB) SetDraft(ctx context.Context, dialogID, text string) error {
	if dialogID == "" {
		return errors.New("cache: draft has no dialog id")
	}
	return db.write(ctx, "save draft", func(tx *txn, ch *Change) error {
		var res sql.Result
		var err error
		if text == "" {
			res, err = tx.ExecContext(ctx, `DELETE FROM drafts WHERE dialog_id = ?`, dialogID)
		} else {
			res, err = tx.ExecContext(ctx, `INSERT INTO drafts (dialog_id, text, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (dialog_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at
				WHERE text IS NOT excluded.text`, dialogID, text, time.Now().UnixMilli())
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			ch.Drafts = append(ch.Drafts, dialogID)
		}
		return nil
	})
}

// Draft returns a dialog's draft, "" when there is none.
func (db *DB) Draft(ctx context.Context, dialogID string) (string, error) {
	var text string
	err := db.r.QueryRowContext(ctx, `SELECT text FROM drafts WHERE dialog_id = ?`, dialogID).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", db.read("read draft", err)
	}
	return text, nil
}

// Drafts returns every draft by dialog id (for the dialog list's "Draft:" lines).
func (db *DB) Drafts(ctx context.Context) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT dialog_id, text FROM drafts`)
	if err != nil {
		return nil, db.read("read drafts", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, db.read("read drafts", err)
		}
		out[id] = text
	}
	return out, db.read("read drafts", rows.Err())
}
