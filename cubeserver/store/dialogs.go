package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/cubechat/cubechat/cube"
)

// NewDialog is what CreateDialog stores. The store does not know the chat domain, so
// the caller passes the room JID of a non-private dialog; to build it from the id, the
// caller may choose the id itself (cube.NewObjectID()).
type NewDialog struct {
	ID           string // "" = a new ObjectId
	Type         int
	OwnerID      int64
	Name         string
	Description  string
	Photo        *string
	RoomJID      string  // "" = none (private dialogs)
	OccupantIDs  []int64 // the owner is added when missing
	AdminIDs     []int64
	Extensions   map[string]string
	AllowPreview bool
}

// CreateDialog stores a dialog with its occupants. A private dialog (type 3) needs
// exactly one occupant besides the owner; when the pair already has one, that dialog is
// returned with created=false.
func (s *Store) CreateDialog(ctx context.Context, n NewDialog) (d *cube.Dialog, created bool, err error) {
	occupants := uniqueIDs(append([]int64{n.OwnerID}, n.OccupantIDs...))
	if n.OwnerID <= 0 {
		return nil, false, fmt.Errorf("%w: dialog owner is required", ErrInvalidInput)
	}
	if n.Type == cube.DialogPrivate {
		if len(occupants) != 2 {
			return nil, false, fmt.Errorf("%w: a private dialog has exactly two occupants", ErrInvalidInput)
		}
		return s.findOrCreatePrivate(ctx, n.OwnerID, occupants[1], n.ID)
	}
	if n.ID == "" {
		n.ID = cube.NewObjectID()
	}
	err = s.tx(ctx, func(tx *writeTx) error {
		if err := usersExist(ctx, tx, occupants); err != nil {
			return err
		}
		return insertDialog(ctx, tx, n, occupants, "")
	})
	if err != nil {
		return nil, false, err
	}
	d, err = s.DialogFor(ctx, n.ID, n.OwnerID)
	return d, err == nil, err
}

// FindOrCreatePrivateDialog returns the type-3 dialog of users a and b, creating it (owned
// by a) when the pair has none.
func (s *Store) FindOrCreatePrivateDialog(ctx context.Context, a, b int64) (*cube.Dialog, error) {
	d, _, err := s.findOrCreatePrivate(ctx, a, b, "")
	return d, err
}

func (s *Store) findOrCreatePrivate(ctx context.Context, owner, peer int64, id string) (*cube.Dialog, bool, error) {
	if owner <= 0 || peer <= 0 || owner == peer {
		return nil, false, fmt.Errorf("%w: a private dialog needs two different users", ErrInvalidInput)
	}
	lo, hi := min(owner, peer), max(owner, peer)
	key := strconv.FormatInt(lo, 10) + ":" + strconv.FormatInt(hi, 10)
	created := false
	err := s.tx(ctx, func(tx *writeTx) error {
		err := s.prepTx(tx).QueryRowContext(ctx, `SELECT id FROM dialogs WHERE pair_key = ?`, key).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := usersExist(ctx, tx, []int64{owner, peer}); err != nil {
			return err
		}
		if id == "" {
			id = cube.NewObjectID()
		}
		created = true
		n := NewDialog{ID: id, Type: cube.DialogPrivate, OwnerID: owner}
		return insertDialog(ctx, tx, n, []int64{owner, peer}, key)
	})
	if err != nil {
		return nil, false, err
	}
	d, err := s.DialogFor(ctx, id, owner)
	return d, created, err
}

func insertDialog(ctx context.Context, tx *writeTx, n NewDialog, occupants []int64, pairKey string) error {
	var ext any
	if len(n.Extensions) > 0 {
		b, err := json.Marshal(n.Extensions)
		if err != nil {
			return err
		}
		ext = string(b)
	}
	now := nowMS()
	_, err := tx.ExecContext(ctx, `INSERT INTO dialogs (id, type, owner_id, name, description, photo,
		xmpp_room_jid, extensions, allow_preview, pair_key, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		n.ID, n.Type, n.OwnerID, n.Name, n.Description, n.Photo, nullIfEmpty(n.RoomJID), ext,
		boolInt(n.AllowPreview), nullIfEmpty(pairKey), now, now)
	if err != nil {
		return err
	}
	for _, uid := range occupants {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialog_occupants (dialog_id, user_id, joined_at)
			VALUES (?,?,?)`, n.ID, uid, now); err != nil {
			return err
		}
	}
	member := map[int64]bool{}
	for _, uid := range occupants {
		member[uid] = true
	}
	for _, uid := range uniqueIDs(n.AdminIDs) {
		if !member[uid] {
			return fmt.Errorf("%w: admin %d is not an occupant", ErrInvalidInput, uid)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialog_admins (dialog_id, user_id) VALUES (?,?)`, n.ID, uid); err != nil {
			return err
		}
	}
	return nil
}

// UnknownUserError names an id that is not a user; it matches ErrNotFound.
type UnknownUserError struct{ ID int64 }

func (e *UnknownUserError) Error() string { return fmt.Sprintf("store: user %d does not exist", e.ID) }

func (e *UnknownUserError) Is(target error) bool { return target == ErrNotFound }

// NotFound tells xmppd (which matches on this method) that the user does not exist.
func (e *UnknownUserError) NotFound() bool { return true }

// usersExist returns an *UnknownUserError for the first id that is not a user.
func usersExist(ctx context.Context, q queryer, ids []int64) error {
	for _, id := range ids {
		ok, err := exists(ctx, q, `SELECT 1 FROM users WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if !ok {
			return &UnknownUserError{ID: id}
		}
	}
	return nil
}

func uniqueIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Dialog returns the dialog without per-user fields, or ErrNotFound.
func (s *Store) Dialog(ctx context.Context, dialogID string) (*cube.Dialog, error) {
	return s.DialogFor(ctx, dialogID, 0)
}

// DialogFor returns the dialog as viewer sees it (unread count, last message status);
// viewer 0 leaves those fields null.
func (s *Store) DialogFor(ctx context.Context, dialogID string, viewer int64) (*cube.Dialog, error) {
	rows, err := s.prep().QueryContext(ctx, dialogSelect+` WHERE d.id = ?`, viewer, dialogID)
	if err != nil {
		return nil, err
	}
	ds, err := scanDialogs(rows)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("%w: dialog %s", ErrNotFound, dialogID)
	}
	return &ds[0], nil
}

// IsOccupant tells whether userID is in the dialog's occupants.
func (s *Store) IsOccupant(ctx context.Context, dialogID string, userID int64) (bool, error) {
	return exists(ctx, s.prep(), `SELECT 1 FROM dialog_occupants WHERE dialog_id = ? AND user_id = ?`, dialogID, userID)
}

// DialogOccupants returns the occupant ids of a dialog in the order they joined.
func (s *Store) DialogOccupants(ctx context.Context, dialogID string) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id FROM dialog_occupants WHERE dialog_id = ? ORDER BY rowid`, dialogID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// broadcastUnread counts what a reader of a broadcast dialog (everyone in the app, not
// only its occupants) has not read yet; occupants keep a stored count instead.
const broadcastUnread = `SELECT COUNT(*) FROM messages m WHERE m.dialog_id = d.id
	AND m.sender_id != ?1 AND m.deleted_at IS NULL
	AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.user_id = ?1)
	AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.message_id = m.id AND h.user_id = ?1)`

// dialogSelect reads a dialog as the viewer (?1) sees it. last_message_status is only
// set when the viewer sent the last message: read/delivered once anyone else has. A
// broadcast dialog has an unread count for every viewer, occupant or not.
const dialogSelect = `SELECT d.id, d.type, d.owner_id, d.name, d.description, d.photo, d.xmpp_room_jid,
	d.extensions, d.allow_preview, d.last_message, d.last_message_id, d.last_message_date_sent,
	d.last_message_user_id, d.created_at, d.updated_at,
	(SELECT json_group_array(user_id) FROM (SELECT user_id FROM dialog_occupants
		WHERE dialog_id = d.id ORDER BY rowid)),
	(SELECT json_group_array(user_id) FROM (SELECT user_id FROM dialog_admins
		WHERE dialog_id = d.id ORDER BY rowid)),
	(SELECT json_group_array(message_id) FROM (SELECT message_id FROM dialog_pins
		WHERE dialog_id = d.id ORDER BY pinned_at, rowid)),
	(SELECT COUNT(*) FROM dialog_occupants WHERE dialog_id = d.id),
	CASE WHEN o.user_id IS NULL AND d.type = 1 AND ?1 != 0 THEN (` + broadcastUnread + `)
		ELSE o.unread_count END,
	CASE WHEN ?1 != 0 AND d.last_message_user_id = ?1 THEN
		CASE WHEN EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = d.last_message_id
				AND r.user_id != ?1) THEN 'read'
			WHEN EXISTS (SELECT 1 FROM message_deliveries r WHERE r.message_id = d.last_message_id
				AND r.user_id != ?1) THEN 'delivered'
			ELSE 'sent' END
	END
	FROM dialogs d LEFT JOIN dialog_occupants o ON o.dialog_id = d.id AND o.user_id = ?1`

func scanDialogs(rows *sql.Rows) ([]cube.Dialog, error) {
	defer rows.Close()
	out := []cube.Dialog{}
	for rows.Next() {
		var d cube.Dialog
		var photo, roomJID, ext, lastMsg, lastID, status sql.NullString
		var lastDate, lastUser, unread sql.NullInt64
		var allowPreview int
		var created, updated int64
		var occupants, admins, pinned string
		var occupantsCount int
		if err := rows.Scan(&d.ID, &d.Type, &d.UserID, &d.Name, &d.Description, &photo, &roomJID,
			&ext, &allowPreview, &lastMsg, &lastID, &lastDate, &lastUser, &created, &updated,
			&occupants, &admins, &pinned, &occupantsCount, &unread, &status); err != nil {
			return nil, err
		}
		d.Photo = nullString(photo)
		d.XMPPRoomJID = nullString(roomJID)
		d.LastMessage = nullString(lastMsg)
		d.LastMessageID = nullString(lastID)
		d.LastMessageStatus = nullString(status)
		d.LastMessageDateSent = nullInt(lastDate)
		d.LastMessageUserID = nullInt(lastUser)
		if unread.Valid {
			n := int(unread.Int64)
			d.UnreadMessagesCount = &n
		}
		if ext.Valid {
			if err := json.Unmarshal([]byte(ext.String), &d.Extensions); err != nil {
				return nil, fmt.Errorf("store: dialog %s extensions: %w", d.ID, err)
			}
		}
		d.Permissions = &cube.DialogPermissions{AllowPreview: allowPreview != 0}
		if err := json.Unmarshal([]byte(occupants), &d.OccupantsIDs); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(admins), &d.AdminsIDs); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(pinned), &d.PinnedMessagesIDs); err != nil {
			return nil, err
		}
		if d.Type == cube.DialogPublic {
			// Subscribers are counted, not listed (docs/protocol.md §3.2); the store still
			// returns them in OccupantsIDs for routing, and the REST layer hides them.
			d.OccupantsCount = &occupantsCount
		}
		d.CreatedAt = cube.TimeOf(msTime(created))
		d.UpdatedAt = cube.TimeOf(msTime(updated))
		out = append(out, d)
	}
	return out, rows.Err()
}

func nullString(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func nullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}
