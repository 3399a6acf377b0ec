package cube

import (
	"context"
	"errors"
	"net/http"
)

// SessionExpiredText is the error ConnectyCube answers (with 401) when the token is
// unknown or has expired; JS SDK 6 recognises an expired session by exactly this text.
const SessionExpiredText = "Required session does not exist"

// IsSessionExpired tells whether err is the server's "session does not exist" answer,
// after which a new session must be created (CreateSession) before retrying.
func IsSessionExpired(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusUnauthorized {
		return false
	}
	for _, m := range e.Messages {
		if m == SessionExpiredText {
			return true
		}
	}
	return false
}

// GetSession returns the session of the current token (GET /session).
func (c *Client) GetSession(ctx context.Context) (*Session, error) {
	raw, err := c.do(c.request(ctx), http.MethodGet, "/session")
	if err != nil {
		return nil, err
	}
	return unwrap[Session](raw, "session")
}

// DeleteSession ends the current session (DELETE /session) and forgets its token.
// A session that has already expired counts as ended.
func (c *Client) DeleteSession(ctx context.Context) error {
	_, err := c.do(c.request(ctx), http.MethodDelete, "/session")
	if err != nil && !IsSessionExpired(err) {
		return err
	}
	c.SetToken("")
	return nil
}

// Logout signs the user out of the session (DELETE /login): the token stays valid as
// an application session, which can log another user in with Login.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.do(c.request(ctx), http.MethodDelete, "/login")
	return err
}
