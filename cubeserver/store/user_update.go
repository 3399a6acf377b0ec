package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/cubechat/cubechat/cube"
)

// ErrWrongPassword is a password change whose old password does not match.
var ErrWrongPassword = errors.New("store: the old password is wrong")

// UserChanges is a profile update (PUT /users/{id}, docs/protocol.md §2.5). A nil field
// stays as it is; a pointer to "" (or 0) clears it, which is what a null in the request
// means.
type UserChanges struct {
	Login, Email, FullName, Phone, Website, CustomData, Avatar, UserTags *string
	ExternalUserID, BlobID                                               *int64
	Timezone                                                             *int
}

// UpdateUser applies c to user id and returns the stored user. Login and email stay
// unique (ErrLoginTaken, ErrEmailTaken), and a user keeps at least one of them
// (ErrInvalidInput). An unknown id is ErrNotFound.
func (s *Store) UpdateUser(ctx context.Context, id int64, c UserChanges) (cube.User, error) {
	trim := func(p *string) {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
	}
	trim(c.Login)
	trim(c.Email)
	err := s.tx(ctx, func(tx *writeTx) error {
		cur, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		login, email := cur.Login, cur.Email
		if c.Login != nil {
			login = *c.Login
		}
		if c.Email != nil {
			email = *c.Email
		}
		if login == "" && email == "" {
			return fmt.Errorf("%w: a user keeps a login or an email", ErrInvalidInput)
		}
		if login != "" && !strings.EqualFold(login, cur.Login) {
			if taken, err := exists(ctx, tx, `SELECT 1 FROM users WHERE login = ? AND id <> ?`, login, id); err != nil || taken {
				return orErr(err, ErrLoginTaken)
			}
		}
		if email != "" && !strings.EqualFold(email, cur.Email) {
			if taken, err := exists(ctx, tx, `SELECT 1 FROM users WHERE email = ? AND id <> ?`, email, id); err != nil || taken {
				return orErr(err, ErrEmailTaken)
			}
		}
		sets := []string{"login = ?", "email = ?", "updated_at = MAX(updated_at + 1, ?)"}
		args := []any{nullIfEmpty(login), nullIfEmpty(email), nowMS()}
		for col, v := range map[string]*string{"full_name": c.FullName, "phone": c.Phone, "website": c.Website,
			"custom_data": c.CustomData, "avatar": c.Avatar, "user_tags": c.UserTags} {
			if v != nil {
				sets, args = append(sets, col+" = ?"), append(args, *v)
			}
		}
		for col, v := range map[string]*int64{"external_user_id": c.ExternalUserID, "blob_id": c.BlobID} {
			if v != nil {
				sets, args = append(sets, col+" = ?"), append(args, *v)
			}
		}
		if c.Timezone != nil {
			sets, args = append(sets, "timezone = ?"), append(args, *c.Timezone)
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, id)...)
		return err
	})
	if err != nil {
		return cube.User{}, err
	}
	return s.UserByID(ctx, id)
}

// ChangePassword replaces user id's password after checking the old one
// (ErrWrongPassword) and ends every other REST session of the user: whoever knew only
// the old password, or held a token of it, must sign in again. keepSessionID is the
// caller's session (0 = none kept). It returns how many sessions it ended.
func (s *Store) ChangePassword(ctx context.Context, id int64, oldPassword, newPassword string, keepSessionID int64) (int, error) {
	if newPassword == "" {
		return 0, fmt.Errorf("%w: the new password is empty", ErrInvalidInput)
	}
	ok, err := s.checkPassword(ctx, id, oldPassword)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, ErrWrongPassword
	}
	phc, err := s.passwords.hashPassword(newPassword)
	if err != nil {
		return 0, err
	}
	scram, err := s.passwords.scramCreds(newPassword, SCRAMSHA1, SCRAMSHA256)
	if err != nil {
		return 0, err
	}
	ended := 0
	err = s.tx(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_phc = ?, password_hash = x'',
			password_salt = x'', password_iter = 0, updated_at = MAX(updated_at + 1, ?) WHERE id = ?`,
			phc, nowMS(), id); err != nil {
			return err
		}
		if err := insertSCRAM(ctx, tx, id, scram); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, id, keepSessionID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ended = int(n)
		return nil
	})
	return ended, err
}

// VerifyPassword tells whether password is user id's (false for an unknown id).
func (s *Store) VerifyPassword(ctx context.Context, id int64, password string) (bool, error) {
	return s.checkPassword(ctx, id, password)
}
