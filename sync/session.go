package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cubechat/cubechat/cube"
)

// The REST session: opened by Login (password) or Resume (saved token), checked or
// renewed by the supervisor, renewed on a 401 by rest. A session that cannot be
// renewed (a resumed one has no password, or the password stopped working) puts the
// engine in "sign in again": Status.NeedsSignIn, no more retries until Login succeeds.

// errNotLoggedIn is every call that needs the server before Login or Resume.
var errNotLoggedIn = errors.New("sync: not logged in")

// restClient is the logged-in REST client, or an error before Login.
func (e *Engine) restClient() (*cube.Client, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.client == nil {
		return nil, errNotLoggedIn
	}
	return e.client, nil
}

// ensureSession makes sure the client holds a valid session: after an offline Login
// it creates one with the password; after an offline Resume, or once the chat refused
// the token, it asks the server whether the token still holds.
func (e *Engine) ensureSession(ctx context.Context) error {
	// One at a time: concurrent 401s must lead to one new session, and the token
	// saved must be the one the client uses.
	e.sessionMu.Lock()
	defer e.sessionMu.Unlock()
	e.mu.Lock()
	client, login, password, ok, blocked := e.client, e.login, e.password, e.session, e.needSignIn
	e.mu.Unlock()
	switch {
	case client == nil:
		return errNotLoggedIn
	case ok:
		return nil
	case blocked:
		return errSignInNeeded
	case password == "":
		return e.checkSavedSession(ctx, client)
	}
	sess, err := client.CreateSession(ctx, login, password)
	if err != nil {
		if isCredentialRefusal(err) {
			// The password changed on another device (or the user was removed).
			e.requireSignIn(err)
			return fmt.Errorf("%w: %w", ErrAuth, err)
		}
		return err
	}
	e.mu.Lock()
	if e.me == 0 {
		e.me = sess.UserID
	}
	e.session = true
	e.mu.Unlock()
	e.saveToken(login, sess.Token)
	e.log.Info("new REST session")
	return nil
}

// errSignInNeeded is what server calls get while the engine waits for Login.
var errSignInNeeded = fmt.Errorf("%w: the session ended; sign in again", ErrAuth)

// checkSavedSession asks the server about the client's token (GET /session): valid
// and ours signs the engine in; refused ends the saved session.
func (e *Engine) checkSavedSession(ctx context.Context, client *cube.Client) error {
	sess, err := client.GetSession(ctx)
	me := e.Me()
	switch {
	case err == nil && sess.UserID != 0 && (me == 0 || sess.UserID == me):
		e.mu.Lock()
		e.me, e.session = sess.UserID, true
		e.mu.Unlock()
		return nil
	case err == nil:
		// An application session, or another user's: not a sign-in for this cache.
		err = fmt.Errorf("the saved token is a session of user %d, not of user %d", sess.UserID, me)
	case !cube.IsStatus(err, http.StatusUnauthorized) && !cube.IsStatus(err, http.StatusForbidden):
		return err // no answer, or server trouble: the token may well be fine
	}
	e.requireSignIn(err)
	return fmt.Errorf("%w: the saved session is no longer valid: %w", ErrAuth, err)
}

// requireSignIn ends a session that cannot be renewed: the saved token is deleted
// (it is dead), the status tells the UI to ask for the password, and the supervisor
// waits for Login instead of retrying.
func (e *Engine) requireSignIn(reason error) {
	e.mu.Lock()
	already := e.needSignIn
	e.needSignIn, e.session = true, false
	login := e.login
	e.mu.Unlock()
	if already {
		return
	}
	select {
	case e.signInLost <- struct{}{}:
	default:
	}
	if err := e.deleteToken(login); err != nil {
		e.log.Warn("dead session token left in the token store", "err", err)
	}
	e.log.Warn("session ended and cannot be renewed here; sign in again", "login", login, "err", reason)
	e.status.Update(func(s *Status) {
		s.NeedsSignIn = true
		s.Err = fmt.Errorf("%w: %w", ErrAuth, reason)
	})
}

// signedInAgain clears "sign in again" after a Login and wakes a waiting supervisor.
func (e *Engine) signedInAgain() {
	e.mu.Lock()
	was := e.needSignIn
	e.needSignIn = false
	e.mu.Unlock()
	if was {
		e.status.Update(func(s *Status) { s.NeedsSignIn = false; s.Err = nil })
	}
	select {
	case e.signedIn <- struct{}{}:
	default:
	}
}

// signInNeeded tells whether the engine waits for Login.
func (e *Engine) signInNeeded() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.needSignIn
}

// waitSignIn returns at once unless the engine needs a sign-in; then it waits for
// Login. False means ctx ended first.
func (e *Engine) waitSignIn(ctx context.Context) bool {
	for {
		if !e.signInNeeded() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-e.signedIn:
		}
	}
}

// rest runs a REST call, renewing the session once if the server says it expired.
func (e *Engine) rest(ctx context.Context, call func(*cube.Client) error) error {
	client, err := e.restClient()
	if err != nil {
		return err
	}
	used := client.Token()
	err = call(client)
	if !cube.IsStatus(err, http.StatusUnauthorized) {
		return err
	}
	if serr := e.renewSession(ctx, used); serr != nil {
		return fmt.Errorf("%w (renewing the session: %w)", err, serr)
	}
	if client, err = e.restClient(); err != nil {
		return err
	}
	return call(client)
}

// renewSession replaces a session the server no longer knows; used is the token the
// refused call carried. When another call renewed it meanwhile, there is nothing to do.
func (e *Engine) renewSession(ctx context.Context, used string) error {
	e.mu.Lock()
	if e.session && e.client != nil && e.client.Token() != used {
		e.mu.Unlock()
		return nil
	}
	e.session = false
	e.mu.Unlock()
	return e.ensureSession(ctx)
}

// credentials are what the chat login needs: the password when we have it, else the
// session token, which ConnectyCube accepts as the chat password.
func (e *Engine) credentials() (me int64, secret string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.password == "" && e.client != nil {
		return e.me, e.client.Token()
	}
	return e.me, e.password
}
