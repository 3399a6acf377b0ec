package sync

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// Profile says which ConnectyCube application and servers to use.
type Profile struct {
	Name       string
	APIURL     string
	ChatHost   string
	ChatDomain string
	ChatTLS    string // "tls" (direct) or "starttls"
	AppID      int64
	AuthKey    string
	AuthSecret string
	CertPEM    []byte // a pinned server certificate (the demo's self-signed one); nil = system roots
}

// CloudProfile is ConnectyCube's hosted service for the given application.
func CloudProfile(appID int64, authKey string) Profile {
	return Profile{
		Name:       "ConnectyCube",
		APIURL:     "https://api.connectycube.com",
		ChatHost:   "chat.connectycube.com:5223",
		ChatDomain: "chat.connectycube.com",
		ChatTLS:    cube.ChatDirectTLS,
		AppID:      appID,
		AuthKey:    authKey,
	}
}

// cubeConfig turns the profile into the SDK's configuration. A pinned certificate
// replaces the system roots for both REST and chat; verification is never turned off.
func (p Profile) cubeConfig() (cube.Config, error) {
	cfg := cube.Config{
		AppID: p.AppID, AuthKey: p.AuthKey, AuthSecret: p.AuthSecret,
		APIURL: p.APIURL, ChatHost: p.ChatHost, ChatDomain: p.ChatDomain, ChatTLS: p.ChatTLS,
	}
	if len(p.CertPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(p.CertPEM) {
			return cube.Config{}, errors.New("sync: the profile's pinned certificate is not valid PEM")
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// Login opens a REST session and records the account in the cache. The password is
// kept in memory only (for the chat login and renewing the session); the session
// token goes to the token store, if the engine has one (UseTokenStore), so that a later
// start can Resume without the password.
//
// Wrong credentials give ErrAuth; a server certificate this device does not trust, the
// API's or the chat's, gives ErrCertificate (a *CertificateError). An unreachable server gives ErrOffline when the cache
// belongs to this login: the engine then serves cached data, and Start keeps trying to
// reach the server. Unreachable with nothing cached is a plain error.
//
// Login is also "sign in again" on a running engine whose Status says NeedsSignIn:
// on success the supervisor goes back online by itself.
func (e *Engine) Login(ctx context.Context, login, password string) error {
	if login == "" || password == "" {
		return fmt.Errorf("%w: login and password are required", ErrAuth)
	}
	cfg, err := e.profile.cubeConfig()
	if err != nil {
		return err
	}
	cfg.Logger = e.log
	client := cube.NewClient(cfg)

	sess, err := client.CreateSession(ctx, login, password)
	if err != nil {
		return e.loginFailed(ctx, client, login, password, err)
	}
	if err := e.checkChatCertificate(ctx, cfg); err != nil {
		return err
	}
	user := sess.User
	if user == nil || user.ID == 0 {
		users, err := client.UsersByIDs(ctx, []int64{sess.UserID})
		if err != nil || len(users) == 0 {
			return fmt.Errorf("sync: logged in, but cannot read the profile of user %d: %w", sess.UserID, err)
		}
		user = &users[0]
	}
	if err := e.checkCacheOwner(ctx, user.ID); err != nil {
		return err
	}
	acc, err := accountFromWire(*user)
	if err != nil {
		return fmt.Errorf("sync: saving the account: %w", err)
	}
	if err := e.db.SaveAccount(ctx, acc); err != nil {
		return fmt.Errorf("sync: saving the account: %w", err)
	}
	if err := e.db.UpsertUsers(ctx, []cache.User{userFromWire(*user)}); err != nil {
		return fmt.Errorf("sync: saving the account: %w", err)
	}
	// The server's spelling of the login keys the saved token, so that Resume (which
	// only has the cached account) finds it.
	if user.Login != "" {
		login = user.Login
	}
	e.mu.Lock()
	e.client, e.login, e.password = client, login, password
	e.me, e.session = user.ID, true
	e.mu.Unlock()
	e.saveToken(login, client.Token())
	e.signedInAgain()
	e.log.Info("logged in", "user", user.ID, "login", login)
	return nil
}

// loginFailed tells a refusal from an unreachable server. Only the offline case keeps
// the new client and password: the supervisor opens the session when it can.
func (e *Engine) loginFailed(ctx context.Context, client *cube.Client, login, password string, err error) error {
	if cube.IsCertificateError(err) {
		return &CertificateError{Server: "API", Addr: e.profile.APIURL, Err: err}
	}
	var rest *cube.Error
	if errors.As(err, &rest) {
		if isCredentialRefusal(err) {
			return fmt.Errorf("%w: %w", ErrAuth, err)
		}
		if rest.Status < http.StatusInternalServerError {
			return fmt.Errorf("sync: the server refused the login: %w", err)
		}
		// A 5xx is a server that is up but not working: like unreachable, the cache
		// still serves.
	}
	acc, aerr := e.db.Account(ctx)
	if aerr != nil {
		return fmt.Errorf("sync: cannot reach the server (%w) and cannot read the cache: %w", err, aerr)
	}
	if acc == nil || acc.Login != login {
		return fmt.Errorf("sync: cannot reach the server at %s, and this device has no saved data for %q: %w",
			e.profile.APIURL, login, err)
	}
	e.mu.Lock()
	e.client, e.login, e.password, e.session = client, login, password, false
	e.me = acc.UserID
	e.mu.Unlock()
	e.signedInAgain()
	e.status.Update(func(s *Status) { s.State = StateOffline; s.Err = err })
	e.log.Warn("server unreachable, working offline", "login", login, "err", err)
	return fmt.Errorf("%w: %w", ErrOffline, err)
}

// isCredentialRefusal tells a server that refused the login or the session from one
// that failed to answer: the answers ConnectyCube gives for wrong credentials.
func isCredentialRefusal(err error) bool {
	var rest *cube.Error
	if !errors.As(err, &rest) {
		return false
	}
	switch rest.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// checkCacheOwner refuses to mix two accounts in one cache file.
func (e *Engine) checkCacheOwner(ctx context.Context, userID int64) error {
	acc, err := e.db.Account(ctx)
	if err != nil {
		return fmt.Errorf("sync: reading the cached account: %w", err)
	}
	if acc != nil && acc.UserID != userID {
		return fmt.Errorf("sync: this cache belongs to %q (user %d), not to user %d; use another cache file",
			acc.Login, acc.UserID, userID)
	}
	return nil
}

// isUnreachable tells a transport failure (no answer at all) from a server's answer.
func isUnreachable(err error) bool {
	var rest *cube.Error
	return err != nil && !errors.As(err, &rest) && !errors.Is(err, context.Canceled)
}
