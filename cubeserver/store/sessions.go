package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// SessionTTL is how long a token lives after its last use (docs/protocol.md §2.5: every
// request extends it by another 2 hours).
const SessionTTL = 2 * time.Hour

// touchEvery limits the sliding-expiry writes: a token used again within this interval
// keeps its expiry, so a burst of reads does not turn into a burst of writes.
const touchEvery = 30 * time.Second

// Session is a stored REST session.
type Session struct {
	ID        int64
	Token     string
	AppID     int64
	UserID    int64 // 0 = application session
	Nonce     string
	TS        int64
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time
}

// Wire is the session as POST/GET /session return it (without the embedded user).
func (s Session) Wire() cube.Session {
	return cube.Session{
		ID: s.ID, UserID: s.UserID, ApplicationID: s.AppID, Token: s.Token, TS: s.TS,
		CreatedAt: cube.TimeOf(s.CreatedAt), UpdatedAt: cube.TimeOf(s.UpdatedAt),
	}
}

// NewSession is what CreateSession needs; Nonce and TS are echoed back to the client.
type NewSession struct {
	AppID  int64
	UserID int64
	Nonce  string
	TS     int64
}

// CreateSession stores a session with a fresh random token.
func (s *Store) CreateSession(ctx context.Context, n NewSession) (Session, error) {
	buf := make([]byte, 20)
	if _, err := rand.Read(buf); err != nil {
		return Session{}, err
	}
	token := hex.EncodeToString(buf)
	now := nowMS()
	res, err := s.exec(ctx, `INSERT INTO sessions (token, app_id, user_id, nonce, ts,
		created_at, updated_at, expires_at) VALUES (?,?,?,?,?,?,?,?)`,
		token, n.AppID, nullID(n.UserID), n.Nonce, n.TS, now, now, now+SessionTTL.Milliseconds())
	if err != nil {
		return Session{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Session{}, err
	}
	if n.UserID != 0 {
		if _, err := s.exec(ctx, `UPDATE users SET last_request_at = ? WHERE id = ?`, now, n.UserID); err != nil {
			return Session{}, err
		}
	}
	return Session{ID: id, Token: token, AppID: n.AppID, UserID: n.UserID, Nonce: n.Nonce, TS: n.TS,
		CreatedAt: msTime(now), UpdatedAt: msTime(now), ExpiresAt: msTime(now + SessionTTL.Milliseconds())}, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// SessionByToken returns a live session; unknown and expired tokens are ErrNotFound.
// It does not extend the session (see TouchSession).
func (s *Store) SessionByToken(ctx context.Context, token string) (Session, error) {
	var sess Session
	var userID sql.NullInt64
	var created, updated, expires int64
	// Every authenticated request runs this: a cached statement (stmts.go).
	err := s.prep().QueryRowContext(ctx, `SELECT id, token, app_id, user_id, nonce, ts, created_at,
		updated_at, expires_at FROM sessions WHERE token = ?`, token).Scan(&sess.ID, &sess.Token,
		&sess.AppID, &userID, &sess.Nonce, &sess.TS, &created, &updated, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, err
	}
	if expires <= nowMS() {
		return Session{}, ErrNotFound
	}
	sess.UserID = userID.Int64
	sess.CreatedAt, sess.UpdatedAt, sess.ExpiresAt = msTime(created), msTime(updated), msTime(expires)
	return sess, nil
}

// TouchSession slides the expiry of a session that was just used and records the
// user's last request; it writes at most once per touchEvery.
func (s *Store) TouchSession(ctx context.Context, sess *Session) error {
	now := nowMS()
	if now-sess.ExpiresAt.UnixMilli()+SessionTTL.Milliseconds() < touchEvery.Milliseconds() {
		return nil
	}
	expires := now + SessionTTL.Milliseconds()
	if _, err := s.exec(ctx, `UPDATE sessions SET expires_at = ? WHERE id = ?`, expires, sess.ID); err != nil {
		return err
	}
	sess.ExpiresAt = msTime(expires)
	if sess.UserID != 0 {
		_, err := s.exec(ctx, `UPDATE users SET last_request_at = ? WHERE id = ?`, now, sess.UserID)
		return err
	}
	return nil
}

// SetSessionUser upgrades a session to a user session (POST /login) or, with userID 0,
// back to an application session (DELETE /login).
func (s *Store) SetSessionUser(ctx context.Context, sessionID, userID int64) error {
	res, err := s.exec(ctx, `UPDATE sessions SET user_id = ?, updated_at = ? WHERE id = ?`,
		nullID(userID), nowMS(), sessionID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, sessionID int64) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE id = ?`, sessionID)
	return err
}

// UseNonce records a (timestamp, nonce) pair of a session request and returns
// ErrNonceUsed when it was seen before. Pairs older than keepFor are pruned: requests
// that old are refused by their timestamp anyway.
func (s *Store) UseNonce(ctx context.Context, appID, timestamp int64, nonce string, keepFor time.Duration) error {
	return s.tx(ctx, func(tx *writeTx) error {
		cutoff := time.Now().Add(-keepFor).Unix()
		if _, err := tx.ExecContext(ctx, `DELETE FROM session_nonces WHERE timestamp < ?`, cutoff); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO session_nonces (app_id, timestamp, nonce)
			VALUES (?,?,?) ON CONFLICT DO NOTHING`, appID, timestamp, nonce)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNonceUsed
		}
		return nil
	})
}

// DeleteExpiredSessions removes sessions whose tokens have expired.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, nowMS())
	return err
}
