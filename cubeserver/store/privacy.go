package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/cubechat/cubechat/cube"
)

// PrivacyLists returns every privacy list of the user (items sorted by order) and the
// name of the default list ("" when none).
func (s *Store) PrivacyLists(ctx context.Context, userID int64) (lists map[string][]cube.PrivacyItem, defaultName string, err error) {
	lists = map[string][]cube.PrivacyItem{}
	rows, err := s.db.QueryContext(ctx, `SELECT name, is_default FROM privacy_lists WHERE user_id = ?`, userID)
	if err != nil {
		return nil, "", err
	}
	for rows.Next() {
		var name string
		var isDefault bool
		if err := rows.Scan(&name, &isDefault); err != nil {
			rows.Close()
			return nil, "", err
		}
		lists[name] = []cube.PrivacyItem{}
		if isDefault {
			defaultName = name
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT list_name, ord, type, value, action, kinds
		FROM privacy_items WHERE user_id = ? ORDER BY list_name, ord`, userID)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var name, kinds string
		var it cube.PrivacyItem
		if err := rows.Scan(&name, &it.Order, &it.Type, &it.Value, &it.Action, &kinds); err != nil {
			return nil, "", err
		}
		if kinds != "" {
			it.Kinds = strings.Split(kinds, ",")
		}
		lists[name] = append(lists[name], it)
	}
	return lists, defaultName, rows.Err()
}

// SetPrivacyList creates or replaces the named list with items (XEP-0016 "edit"): the
// list keeps its default status. Items must be valid (ValidatePrivacyItems).
func (s *Store) SetPrivacyList(ctx context.Context, userID int64, name string, items []cube.PrivacyItem) error {
	if userID <= 0 || name == "" {
		return fmt.Errorf("%w: a privacy list needs a user and a name", ErrInvalidInput)
	}
	if err := ValidatePrivacyItems(items); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_lists (user_id, name, updated_at) VALUES (?,?,?)
			ON CONFLICT (user_id, name) DO UPDATE SET updated_at = excluded.updated_at`, userID, name, nowMS()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM privacy_items WHERE user_id = ? AND list_name = ?`, userID, name); err != nil {
			return err
		}
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_items (user_id, list_name, ord, type, value, action, kinds)
				VALUES (?,?,?,?,?,?,?)`, userID, name, it.Order, it.Type, it.Value, it.Action, strings.Join(it.Kinds, ",")); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeletePrivacyList removes the named list (ErrNotFound when there is none). Deleting
// the default list leaves the user without a default.
func (s *Store) DeletePrivacyList(ctx context.Context, userID int64, name string) error {
	res, err := s.exec(ctx, `DELETE FROM privacy_lists WHERE user_id = ? AND name = ?`, userID, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: privacy list %q", ErrNotFound, name)
	}
	return nil
}

// SetDefaultPrivacyList makes the named list the user's default; "" declines the
// default (no list applies). An unknown name is ErrNotFound and changes nothing.
func (s *Store) SetDefaultPrivacyList(ctx context.Context, userID int64, name string) error {
	return s.tx(ctx, func(tx *writeTx) error {
		if name != "" {
			ok, err := exists(ctx, tx, `SELECT 1 FROM privacy_lists WHERE user_id = ? AND name = ?`, userID, name)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: privacy list %q", ErrNotFound, name)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE privacy_lists SET is_default = 0 WHERE user_id = ? AND is_default = 1`, userID); err != nil {
			return err
		}
		if name == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE privacy_lists SET is_default = 1 WHERE user_id = ? AND name = ?`, userID, name)
		return err
	})
}

// ValidatePrivacyItems checks XEP-0016's rules for one list (cube.ValidatePrivacyItems);
// the error wraps ErrInvalidInput.
func ValidatePrivacyItems(items []cube.PrivacyItem) error {
	if err := cube.ValidatePrivacyItems(items); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidInput, err)
	}
	return nil
}
