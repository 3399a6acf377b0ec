package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SaveAccount stores the signed-in account, replacing any previous one.
func (db *DB) SaveAccount(ctx context.Context, a Account) error {
	if a.UserID == 0 {
		return errors.New("cache: account has no user id")
	}
	return db.write(ctx, "save account", func(tx *txn, ch *Change) error {
		tx.accountChanged()
		_, err := tx.ExecContext(ctx, `INSERT INTO account (id, user_id, login, full_name, profile)
			VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, login = excluded.login,
				full_name = excluded.full_name, profile = excluded.profile`,
			a.UserID, a.Login, a.FullName, a.Profile)
		ch.Account = true
		return err
	})
}

// Account returns the stored account, or nil and no error when there is none.
func (db *DB) Account(ctx context.Context) (*Account, error) {
	var a Account
	err := db.r.QueryRowContext(ctx, `SELECT user_id, login, full_name, profile FROM account WHERE id = 1`).
		Scan(&a.UserID, &a.Login, &a.FullName, &a.Profile)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.read("read account", err)
	}
	return &a, nil
}

// DeleteAccount forgets the signed-in account (sign-out); cached chats stay.
func (db *DB) DeleteAccount(ctx context.Context) error {
	return db.write(ctx, "delete account", func(tx *txn, ch *Change) error {
		tx.accountChanged()
		res, err := tx.ExecContext(ctx, `DELETE FROM account`)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			ch.Account = true
		}
		return nil
	})
}
