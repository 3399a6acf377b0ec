package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// signOutTimeout bounds the courtesy DELETE /session of SignOut: signing out must
// not hang on a server that does not answer.
const signOutTimeout = 5 * time.Second

// Resume signs the cached account in with its saved session token, without a
// password (remembered sign-in). Call UseTokenStore first, then Resume instead of
// Login, then Start.
//
//   - nil: the token is valid; REST uses it and the chat logs in with it.
//   - ErrNoSavedSession: no cached account or no saved token; show the sign-in form.
//   - ErrAuth: the server refused the token (expired or revoked); it is deleted.
//   - ErrOffline: the server did not answer; the engine serves cached data and Start
//     keeps trying with the token (Status.NeedsSignIn if it turns out to be dead).
//
// A resumed session has no password to renew itself with: when it expires later, the
// Status says NeedsSignIn and the app asks for the password (Login).
func (e *Engine) Resume(ctx context.Context) error {
	acc, err := e.db.Account(ctx)
	if err != nil {
		return fmt.Errorf("sync: reading the cached account: %w", err)
	}
	if acc == nil || acc.Login == "" {
		return fmt.Errorf("%w: no account on this device", ErrNoSavedSession)
	}
	token, err := e.loadToken(acc.Login)
	if err != nil {
		return err
	}
	cfg, err := e.profile.cubeConfig()
	if err != nil {
		return err
	}
	cfg.Logger = e.log
	client := cube.NewClient(cfg)
	client.SetToken(token)
	e.mu.Lock()
	e.client, e.login, e.password = client, acc.Login, ""
	e.me, e.session, e.needSignIn = acc.UserID, false, false
	e.mu.Unlock()

	err = e.ensureSession(ctx)
	switch {
	case err == nil:
		e.log.Info("resumed the saved session", "user", acc.UserID, "login", acc.Login)
		return nil
	case errors.Is(err, ErrAuth):
		return err
	case isUnreachable(err) || isServerTrouble(err):
		e.status.Update(func(s *Status) { s.State = StateOffline; s.Err = err })
		e.log.Warn("server unreachable, working offline on the saved session", "login", acc.Login, "err", err)
		return fmt.Errorf("%w: %w", ErrOffline, err)
	}
	return fmt.Errorf("sync: resuming the saved session: %w", err)
}

// isServerTrouble is a 5xx answer: the server is up but not working, which the user
// experiences like an unreachable one.
func isServerTrouble(err error) bool {
	var rest *cube.Error
	return errors.As(err, &rest) && rest.Status >= 500
}

// SignOut ends the session for good: the engine stops, the server session is ended
// (DELETE /session, best effort: an unreachable server only logs), the saved token is
// deleted and the account leaves the cache, so the next start shows the sign-in form.
// Cached dialogs and messages stay; a caller who wants them gone closes the cache and
// deletes its file. Like Stop, SignOut is final. The error says what was left behind
// (the account row, or a token the store would not delete); everything else is done.
func (e *Engine) SignOut(ctx context.Context) error {
	e.Stop()
	e.mu.Lock()
	client, login := e.client, e.login
	e.client, e.password, e.session, e.me, e.needSignIn = nil, "", false, 0, false
	e.mu.Unlock()

	if login == "" {
		if acc, err := e.db.Account(ctx); err == nil && acc != nil {
			login = acc.Login
		}
	}
	if client != nil && client.Token() != "" {
		dctx, cancel := context.WithTimeout(ctx, signOutTimeout)
		if err := client.DeleteSession(dctx); err != nil {
			e.log.Info("server session not ended (it expires by itself)", "err", err)
		}
		cancel()
	}
	var errs []error
	if err := e.deleteToken(login); err != nil {
		errs = append(errs, err)
	}
	if err := e.db.DeleteAccount(ctx); err != nil {
		errs = append(errs, fmt.Errorf("sync: forgetting the account: %w", err))
	}
	e.status.Update(func(s *Status) { s.State = StateOffline; s.Err = nil; s.NeedsSignIn = false; s.Syncing = false })
	e.log.Info("signed out", "login", login)
	return errors.Join(errs...)
}
