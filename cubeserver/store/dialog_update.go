package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cubechat/cubechat/cube"
)

// DialogChanges is a PUT /chat/Dialog/{id}: nil fields stay; Push* add to a list
// (push_all), Pull* remove from it (pull_all).
type DialogChanges struct {
	Name, Description, Photo *string
	Extensions               map[string]string // replaces the extensions when non-nil
	ResetExtensions          bool              // extensions: null
	AllowPreview             *bool
	PushOccupants            []int64
	PullOccupants            []int64
	PushAdmins               []int64
	PullAdmins               []int64
	PushPinned               []string
	PullPinned               []string
}

// UpdateDialog applies c for actor, all or nothing, with the role rules of docs/protocol.md
// §3.3: any occupant of a group adds occupants and changes name, photo, description and
// extensions (in broadcast and public dialogs only the owner and admins do); the owner
// and admins remove occupants and pin messages, and anyone may remove themselves; only
// the owner adds or removes admins (at most MaxAdmins, occupants only, except in broadcast
// dialogs, where any user may be one); the owner cannot
// be removed by others; a private dialog's occupants never change.
// Errors: ErrNotFound, ErrNotOccupant, ErrForbidden, ErrInvalidInput, *UnknownUserError.
func (s *Store) UpdateDialog(ctx context.Context, dialogID string, actor int64, c DialogChanges) (*cube.Dialog, error) {
	err := s.tx(ctx, func(tx *writeTx) error {
		d, err := loadDialog(ctx, tx, dialogID)
		if err != nil {
			return err
		}
		role := RoleOf(d, actor)
		if role < RoleOccupant {
			return ErrNotOccupant
		}
		if err := checkChanges(d, actor, role, c); err != nil {
			return err
		}
		if err := applyFields(ctx, tx, dialogID, c); err != nil {
			return err
		}
		if err := applyMembers(ctx, tx, d, c); err != nil {
			return err
		}
		if err := applyPins(ctx, tx, dialogID, c); err != nil {
			return err
		}
		return touchDialog(ctx, tx, dialogID)
	})
	if err != nil {
		return nil, err
	}
	return s.DialogFor(ctx, dialogID, actor)
}

// checkChanges enforces the role rules before anything is written.
func checkChanges(d *cube.Dialog, actor int64, role Role, c DialogChanges) error {
	typ := d.Type
	fields := c.Name != nil || c.Description != nil || c.Photo != nil || c.Extensions != nil ||
		c.ResetExtensions || c.AllowPreview != nil
	if fields && (typ == cube.DialogBroadcast || typ == cube.DialogPublic) && role < RoleAdmin {
		return forbidden("only the owner and admins may change this dialog")
	}
	members := len(c.PushOccupants)+len(c.PullOccupants)+len(c.PushAdmins)+len(c.PullAdmins) > 0
	if typ == cube.DialogPrivate && members {
		return fmt.Errorf("%w: the occupants of a private dialog cannot change", ErrInvalidInput)
	}
	if len(c.PushOccupants) > 0 && typ != cube.DialogGroup && role < RoleAdmin {
		return forbidden("only the owner and admins may add occupants to this dialog")
	}
	for _, id := range c.PullOccupants {
		if id == actor {
			continue // leaving is always allowed
		}
		if !role.CanModerate(typ) {
			return forbidden("only the owner and admins may remove occupants")
		}
		if id == d.UserID && role != RoleOwner {
			return forbidden("the owner cannot be removed")
		}
	}
	if (len(c.PushAdmins) > 0 || len(c.PullAdmins) > 0) && role != RoleOwner {
		return forbidden("only the owner may add or remove admins")
	}
	if (len(c.PushPinned) > 0 || len(c.PullPinned) > 0) && !role.CanPin(typ) {
		return forbidden("only the owner and admins may pin messages in a group")
	}
	return nil
}

func applyFields(ctx context.Context, tx *writeTx, dialogID string, c DialogChanges) error {
	set := func(col string, v any) error {
		_, err := tx.ExecContext(ctx, `UPDATE dialogs SET `+col+` = ? WHERE id = ?`, v, dialogID)
		return err
	}
	if c.Name != nil {
		if err := set("name", *c.Name); err != nil {
			return err
		}
	}
	if c.Description != nil {
		if err := set("description", *c.Description); err != nil {
			return err
		}
	}
	if c.Photo != nil {
		if err := set("photo", nullIfEmpty(*c.Photo)); err != nil {
			return err
		}
	}
	if c.AllowPreview != nil {
		if err := set("allow_preview", boolInt(*c.AllowPreview)); err != nil {
			return err
		}
	}
	switch {
	case c.ResetExtensions:
		return set("extensions", nil)
	case c.Extensions != nil:
		b, err := json.Marshal(c.Extensions)
		if err != nil {
			return err
		}
		return set("extensions", string(b))
	}
	return nil
}

// applyMembers adds and removes occupants and admins; a removed occupant also loses the
// admin role and their hidden-dialog mark.
func applyMembers(ctx context.Context, tx *writeTx, d *cube.Dialog, c DialogChanges) error {
	push := uniqueIDs(c.PushOccupants)
	if err := usersExist(ctx, tx, push); err != nil {
		return err
	}
	now := nowMS()
	for _, uid := range push {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialog_occupants (dialog_id, user_id, joined_at)
			VALUES (?,?,?) ON CONFLICT DO NOTHING`, d.ID, uid, now); err != nil {
			return err
		}
	}
	for _, uid := range uniqueIDs(c.PullOccupants) {
		if err := removeOccupant(ctx, tx, d.ID, uid); err != nil {
			return err
		}
	}
	for _, uid := range uniqueIDs(c.PullAdmins) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM dialog_admins WHERE dialog_id = ? AND user_id = ?`, d.ID, uid); err != nil {
			return err
		}
	}
	pushAdmins := uniqueIDs(c.PushAdmins)
	if d.Type == cube.DialogBroadcast {
		// Everyone reads a broadcast dialog, so any user of the app may be named admin.
		if err := usersExist(ctx, tx, pushAdmins); err != nil {
			return err
		}
	}
	for _, uid := range pushAdmins {
		member, err := exists(ctx, tx, `SELECT 1 FROM dialog_occupants WHERE dialog_id = ? AND user_id = ?`, d.ID, uid)
		if err != nil {
			return err
		}
		if !member && d.Type != cube.DialogBroadcast {
			return fmt.Errorf("%w: user %d is not an occupant and cannot be an admin", ErrInvalidInput, uid)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialog_admins (dialog_id, user_id) VALUES (?,?)
			ON CONFLICT DO NOTHING`, d.ID, uid); err != nil {
			return err
		}
	}
	var admins int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dialog_admins WHERE dialog_id = ?`, d.ID).Scan(&admins); err != nil {
		return err
	}
	if admins > MaxAdmins && len(c.PushAdmins) > 0 {
		return fmt.Errorf("%w: a dialog has at most %d admins", ErrInvalidInput, MaxAdmins)
	}
	return nil
}

func removeOccupant(ctx context.Context, tx *writeTx, dialogID string, userID int64) error {
	for _, q := range []string{
		`DELETE FROM dialog_occupants WHERE dialog_id = ? AND user_id = ?`,
		`DELETE FROM dialog_admins WHERE dialog_id = ? AND user_id = ?`,
		`DELETE FROM dialog_hidden WHERE dialog_id = ? AND user_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, dialogID, userID); err != nil {
			return err
		}
	}
	return nil
}

// applyPins pins messages of this dialog (unknown or deleted ids are refused).
func applyPins(ctx context.Context, tx *writeTx, dialogID string, c DialogChanges) error {
	now := nowMS()
	for _, id := range c.PushPinned {
		ok, err := exists(ctx, tx, `SELECT 1 FROM messages WHERE id = ? AND dialog_id = ? AND deleted_at IS NULL`, id, dialogID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: message %s is not in this dialog", ErrInvalidInput, id)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialog_pins (dialog_id, message_id, pinned_at)
			VALUES (?,?,?) ON CONFLICT DO NOTHING`, dialogID, id, now); err != nil {
			return err
		}
	}
	for _, id := range c.PullPinned {
		if _, err := tx.ExecContext(ctx, `DELETE FROM dialog_pins WHERE dialog_id = ? AND message_id = ?`, dialogID, id); err != nil {
			return err
		}
	}
	return nil
}

// Subscribe makes userID an occupant (subscriber) of a public dialog; subscribing twice
// changes nothing. ErrNotFound, or ErrInvalidInput for a dialog that is not public.
func (s *Store) Subscribe(ctx context.Context, dialogID string, userID int64) (*cube.Dialog, error) {
	err := s.tx(ctx, func(tx *writeTx) error {
		d, err := loadDialog(ctx, tx, dialogID)
		if err != nil {
			return err
		}
		if d.Type != cube.DialogPublic {
			return fmt.Errorf("%w: only public dialogs take subscriptions", ErrInvalidInput)
		}
		if slices.Contains(d.OccupantsIDs, userID) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialog_occupants (dialog_id, user_id, joined_at)
			VALUES (?,?,?)`, dialogID, userID, nowMS()); err != nil {
			return err
		}
		return touchDialog(ctx, tx, dialogID)
	})
	if err != nil {
		return nil, err
	}
	return s.DialogFor(ctx, dialogID, userID)
}

// Unsubscribe removes userID from a public dialog's subscribers (a no-op when not
// subscribed). ErrNotFound, or ErrInvalidInput for a dialog that is not public.
func (s *Store) Unsubscribe(ctx context.Context, dialogID string, userID int64) error {
	return s.tx(ctx, func(tx *writeTx) error {
		d, err := loadDialog(ctx, tx, dialogID)
		if err != nil {
			return err
		}
		if d.Type != cube.DialogPublic {
			return fmt.Errorf("%w: only public dialogs take subscriptions", ErrInvalidInput)
		}
		if !slices.Contains(d.OccupantsIDs, userID) {
			return nil
		}
		if err := removeOccupant(ctx, tx, dialogID, userID); err != nil {
			return err
		}
		return touchDialog(ctx, tx, dialogID)
	})
}

// DialogSubscribers returns one page of a dialog's occupant ids, in join order.
func (s *Store) DialogSubscribers(ctx context.Context, dialogID string, limit, skip int) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id FROM dialog_occupants WHERE dialog_id = ?
		ORDER BY rowid LIMIT ? OFFSET ?`, dialogID, sqlLimit(limit), skip)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
