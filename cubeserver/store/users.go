package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/cubechat/cubechat/cube"
)

const userColumns = `id, COALESCE(login,''), COALESCE(email,''), full_name, phone, website,
	external_user_id, blob_id, avatar, custom_data, user_tags, timezone, is_guest,
	created_at, updated_at, last_request_at`

func scanUser(row interface{ Scan(...any) error }) (cube.User, error) {
	var u cube.User
	var guest int
	var created, updated, lastReq int64
	err := row.Scan(&u.ID, &u.Login, &u.Email, &u.FullName, &u.Phone, &u.Website,
		&u.ExternalUserID, &u.BlobID, &u.Avatar, &u.CustomData, &u.UserTags, &u.Timezone, &guest,
		&created, &updated, &lastReq)
	if err != nil {
		return cube.User{}, err
	}
	u.IsGuest = guest != 0
	u.CreatedAt = cube.TimeOf(msTime(created))
	u.UpdatedAt = cube.TimeOf(msTime(updated))
	u.LastRequestAt = cube.TimeOf(msTime(lastReq))
	return u, nil
}

// nullIfEmpty stores "" as NULL so that UNIQUE allows many users without a login or email.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateUser stores a new user with a salted password hash. Login and email are unique
// (case-insensitive); at least one of them and a password are required.
func (s *Store) CreateUser(ctx context.Context, u cube.User, password string) (cube.User, error) {
	u.Login = strings.TrimSpace(u.Login)
	u.Email = strings.TrimSpace(u.Email)
	if u.Login == "" && u.Email == "" {
		return cube.User{}, fmt.Errorf("%w: login or email is required", ErrInvalidInput)
	}
	if password == "" {
		return cube.User{}, fmt.Errorf("%w: password is required", ErrInvalidInput)
	}
	phc, err := s.passwords.hashPassword(password)
	if err != nil {
		return cube.User{}, err
	}
	scram, err := s.passwords.scramCreds(password, SCRAMSHA1, SCRAMSHA256)
	if err != nil {
		return cube.User{}, err
	}
	var id int64
	err = s.tx(ctx, func(tx *writeTx) error {
		if taken, err := exists(ctx, tx, `SELECT 1 FROM users WHERE login = ?`, u.Login); err != nil || taken {
			return orErr(err, ErrLoginTaken)
		}
		if taken, err := exists(ctx, tx, `SELECT 1 FROM users WHERE email = ?`, u.Email); err != nil || taken {
			return orErr(err, ErrEmailTaken)
		}
		now := nowMS()
		guest := 0
		if u.IsGuest {
			guest = 1
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (login, email, full_name, phone, website,
			external_user_id, blob_id, avatar, custom_data, user_tags, timezone, is_guest,
			password_hash, password_salt, password_iter, password_phc, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,x'',x'',0,?,?,?)`,
			nullIfEmpty(u.Login), nullIfEmpty(u.Email), u.FullName, u.Phone, u.Website,
			u.ExternalUserID, u.BlobID, u.Avatar, u.CustomData, u.UserTags, u.Timezone, guest,
			phc, now, now)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return insertSCRAM(ctx, tx, id, scram)
	})
	if err != nil {
		return cube.User{}, err
	}
	return s.UserByID(ctx, id)
}

func exists(ctx context.Context, q queryer, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// orErr returns err when set, else fallback.
func orErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// UserByID returns the user or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (cube.User, error) {
	return oneUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// UserByLogin returns the user with that login (case-insensitive) or ErrNotFound.
func (s *Store) UserByLogin(ctx context.Context, login string) (cube.User, error) {
	return oneUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE login = ?`, login))
}

// UserByEmail returns the user with that email (case-insensitive) or ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (cube.User, error) {
	return oneUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
}

func oneUser(row *sql.Row) (cube.User, error) {
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return cube.User{}, ErrNotFound
	}
	return u, err
}

// Authenticate checks a login (or, when login is empty, an email) and password and
// returns the user; a wrong pair of any kind is ErrNotFound, so callers cannot tell
// which half was wrong (an unknown login costs as much time as a wrong password).
func (s *Store) Authenticate(ctx context.Context, login, email, password string) (cube.User, error) {
	col, key := "login", login
	if login == "" {
		col, key = "email", email
	}
	if key == "" || password == "" {
		return cube.User{}, ErrNotFound
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM users WHERE `+col+` = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		s.passwords.burnVerify(password)
		return cube.User{}, ErrNotFound
	}
	if err != nil {
		return cube.User{}, err
	}
	ok, err := s.checkPassword(ctx, id, password)
	if err != nil || !ok {
		return cube.User{}, orErr(err, ErrNotFound)
	}
	return s.UserByID(ctx, id)
}

// UserIDByLogin returns the id of the user with that login (or, when login is empty,
// email), for per-account bookkeeping such as sign-in throttling; ErrNotFound if none.
func (s *Store) UserIDByLogin(ctx context.Context, login, email string) (int64, error) {
	col, key := "login", login
	if login == "" {
		col, key = "email", email
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM users WHERE `+col+` = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// CheckChatPassword accepts the user's password or a live session token of that user
// (docs/protocol.md §8.2: SASL PLAIN carries either).
func (s *Store) CheckChatPassword(ctx context.Context, userID int64, secret string) (bool, error) {
	if secret == "" {
		return false, nil
	}
	sess, err := s.SessionByToken(ctx, secret)
	if err == nil && sess.UserID == userID {
		return true, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	return s.checkPassword(ctx, userID, secret)
}

// checkPassword verifies userID's password. On success it brings the stored secrets up
// to the current policy: an old or cheaper hash is replaced by argon2id, and missing SCRAM
// keys are derived (the only moment the server knows the password of an existing user).
func (s *Store) checkPassword(ctx context.Context, userID int64, password string) (bool, error) {
	var sp storedPassword
	var phc sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT password_phc, password_hash, password_salt, password_iter
		FROM users WHERE id = ?`, userID).Scan(&phc, &sp.legacyHash, &sp.legacySalt, &sp.legacyIter)
	if errors.Is(err, sql.ErrNoRows) {
		s.passwords.burnVerify(password)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sp.phc = phc.String
	ok, rehash := sp.verify(password, s.passwords)
	if !ok {
		return false, nil
	}
	return true, s.upgradeSecrets(ctx, userID, password, rehash)
}

// upgradeSecrets re-hashes the password (when rehash) and derives missing SCRAM keys.
func (s *Store) upgradeSecrets(ctx context.Context, userID int64, password string, rehash bool) error {
	missing, err := s.missingSCRAM(ctx, userID)
	if err != nil || (!rehash && len(missing) == 0) {
		return err
	}
	phc := ""
	if rehash {
		if phc, err = s.passwords.hashPassword(password); err != nil {
			return err
		}
	}
	scram, err := s.passwords.scramCreds(password, missing...)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *writeTx) error {
		if phc != "" {
			// The PBKDF2 columns are cleared: the old, cheaper hash must not outlive it.
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_phc = ?, password_hash = x'',
				password_salt = x'', password_iter = 0 WHERE id = ?`, phc, userID); err != nil {
				return err
			}
		}
		return insertSCRAM(ctx, tx, userID, scram)
	})
}

// UserQuery selects users for GET /users/v2. Empty fields do not filter.
type UserQuery struct {
	IDs         []int64
	Logins      []string
	Emails      []string
	LoginPrefix string
	NamePrefix  string
	SortField   string // one of id, login, full_name, created_at, updated_at; default id
	SortDesc    bool
	Limit, Skip int // Limit <= 0 = all
}

var userSortColumns = map[string]string{
	"id": "id", "login": "login", "full_name": "full_name", "email": "email",
	"created_at": "created_at", "updated_at": "updated_at", "last_request_at": "last_request_at",
}

// ListUsers returns one page of matching users and the total number of matches.
func (s *Store) ListUsers(ctx context.Context, q UserQuery) ([]cube.User, int, error) {
	var where []string
	var args []any
	if len(q.IDs) > 0 {
		where = append(where, "id IN ("+placeholders(len(q.IDs))+")")
		for _, id := range q.IDs {
			args = append(args, id)
		}
	}
	addIn := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		where = append(where, col+" IN ("+placeholders(len(vals))+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	addIn("login", q.Logins)
	addIn("email", q.Emails)
	if q.LoginPrefix != "" {
		where = append(where, "login LIKE ? ESCAPE '\\'")
		args = append(args, likePrefix(q.LoginPrefix))
	}
	if q.NamePrefix != "" {
		where = append(where, "full_name LIKE ? ESCAPE '\\'")
		args = append(args, likePrefix(q.NamePrefix))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	col, ok := userSortColumns[q.SortField]
	if !ok {
		col = "id"
	}
	dir := "ASC"
	if q.SortDesc {
		dir = "DESC"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users`+cond+
		` ORDER BY `+col+` `+dir+`, id `+dir+` LIMIT ? OFFSET ?`, append(args, sqlLimit(q.Limit), q.Skip)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	users := []cube.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	return users, total, rows.Err()
}

// likePrefix escapes LIKE wildcards in p and appends %.
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}
