package sync

import (
	"errors"
	"fmt"
)

// TokenStore keeps session tokens between runs, one per account key. keyring.Store
// (the OS credential store, or keyring.Memory) satisfies it; sync does not import
// keyring because its imports point down to cube and cache only.
//
// Load of a key with nothing stored returns an error (any); Delete of such a key is
// not an error. Only tokens are stored, never a password.
type TokenStore interface {
	Save(account, token string) error
	Load(account string) (string, error)
	Delete(account string) error
}

// ErrNoSavedSession means Resume found nothing to resume: no cached account, no token
// store, or no token saved for the account. The app shows the sign-in form.
var ErrNoSavedSession = errors.New("sync: no saved session")

// UseTokenStore makes Login save the session token in ts and Resume read it back. Call
// it before Login or Resume. Without a store (or nil) the token lives in memory only.
func (e *Engine) UseTokenStore(ts TokenStore) {
	e.mu.Lock()
	e.tokens = ts
	e.mu.Unlock()
}

// tokenKey names an account's token in the store: one server's login, so that two
// servers (the demo and the cloud) with the same login never share a token.
func (e *Engine) tokenKey(login string) string { return e.profile.APIURL + "|" + login }

func (e *Engine) tokenStore() TokenStore {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tokens
}

// saveToken stores the session token of login. A store that does not work is logged
// once, at info level: the token then lives in memory only, which costs the user a
// password prompt on the next start, nothing more.
func (e *Engine) saveToken(login, token string) {
	ts := e.tokenStore()
	if ts == nil || login == "" || token == "" {
		return
	}
	if err := ts.Save(e.tokenKey(login), token); err != nil {
		e.tokenWarnOnce.Do(func() {
			e.log.Info("session token kept in memory only: the token store is not available", "err", err)
		})
	}
}

// loadToken reads the saved token of login; nothing usable wraps ErrNoSavedSession.
func (e *Engine) loadToken(login string) (string, error) {
	ts := e.tokenStore()
	if ts == nil {
		return "", fmt.Errorf("%w: no token store", ErrNoSavedSession)
	}
	token, err := ts.Load(e.tokenKey(login))
	if err != nil {
		return "", fmt.Errorf("%w for %q: %w", ErrNoSavedSession, login, err)
	}
	if token == "" {
		return "", fmt.Errorf("%w for %q", ErrNoSavedSession, login)
	}
	return token, nil
}

// deleteToken forgets the saved token of login. It reports a token that is still
// there afterwards; a store that cannot be reached at all held nothing of ours to
// leave behind (saving failed the same way), so that is only logged.
func (e *Engine) deleteToken(login string) error {
	ts := e.tokenStore()
	if ts == nil || login == "" {
		return nil
	}
	key := e.tokenKey(login)
	err := ts.Delete(key)
	if err == nil {
		return nil
	}
	if token, lerr := ts.Load(key); lerr == nil && token != "" {
		return fmt.Errorf("sync: the saved session of %q could not be removed: %w", login, err)
	}
	e.log.Info("token store not available to delete the session token", "login", login, "err", err)
	return nil
}
