package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/cubechat/cubechat/cube"
)

// ErrForbidden is wrapped by errors of a caller whose role does not allow the change
// (the text after "store: forbidden: " says why).
var ErrForbidden = errors.New("store: forbidden")

// MaxAdmins is the most admins a dialog may have (docs/protocol.md §3.3).
const MaxAdmins = 5

// Role is what a user may do in a dialog, in increasing rights.
type Role int

const (
	RoleNone     Role = iota // not in the dialog
	RoleReader               // reads a broadcast dialog without being an occupant
	RoleOccupant             // occupant (a subscriber of a public dialog)
	RoleAdmin                // in admins_ids
	RoleOwner                // the dialog's creator (user_id), the "super admin"
)

// RoleOf tells the user's role in d: owner and admins count only while they occupy
// the dialog, except a broadcast dialog's admins, whom the owner names among all users
// of the app (docs/security.md); everyone reads broadcast dialogs.
func RoleOf(d *cube.Dialog, userID int64) Role {
	switch {
	case userID <= 0:
		return RoleNone
	case d.Type == cube.DialogBroadcast && d.UserID != userID && slices.Contains(d.AdminsIDs, userID):
		return RoleAdmin
	case slices.Contains(d.OccupantsIDs, userID):
		if d.UserID == userID {
			return RoleOwner
		}
		if slices.Contains(d.AdminsIDs, userID) {
			return RoleAdmin
		}
		return RoleOccupant
	case d.Type == cube.DialogBroadcast:
		return RoleReader
	}
	return RoleNone
}

// CanRead tells whether the role may read the history.
func (r Role) CanRead() bool { return r >= RoleReader }

// CanPost tells whether the role may post to a dialog of type typ: occupants post,
// except in broadcast dialogs, where only the owner and admins do.
func (r Role) CanPost(typ int) bool {
	if typ == cube.DialogBroadcast {
		return r >= RoleAdmin
	}
	return r >= RoleOccupant
}

// CanModerate tells whether the role may remove occupants and delete anyone's
// messages: the owner and admins of a non-private dialog.
func (r Role) CanModerate(typ int) bool {
	return typ != cube.DialogPrivate && r >= RoleAdmin
}

// CanPin tells whether the role may pin and unpin messages in a dialog of type typ:
// both people of a private chat (it has no admins), the owner and admins elsewhere.
func (r Role) CanPin(typ int) bool {
	if typ == cube.DialogPrivate {
		return r >= RoleOccupant
	}
	return r >= RoleAdmin
}

// loadDialog reads a dialog inside a transaction (ErrNotFound when missing).
func loadDialog(ctx context.Context, tx *writeTx, dialogID string) (*cube.Dialog, error) {
	rows, err := tx.QueryContext(ctx, dialogSelect+` WHERE d.id = ?`, 0, dialogID)
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

// execer runs a statement: a *writeTx or a prepared transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func forbidden(why string) error { return fmt.Errorf("%w: %s", ErrForbidden, why) }

// touchDialog bumps updated_at, so updated_at catch-up sees the change. Every change
// to a dialog's messages (new, edited, deleted, a marker, a reaction) touches it too:
// a client catching up asks for messages only in dialogs whose updated_at moved.
func touchDialog(ctx context.Context, tx execer, dialogID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE dialogs SET updated_at = MAX(updated_at + 1, ?) WHERE id = ?`, nowMS(), dialogID)
	return err
}
