package app

import (
	"fyne.io/fyne/v2/lang"

	"context"
	"errors"
	"strings"
	"time"

	csync "github.com/cubechat/cubechat/sync"
)

// Remembered sign-in: at start the UI resumes the saved session with the engine's
// token store instead of asking for the password.

// resumeTimeout bounds the check of a saved session: a server that does not answer in
// time counts as unreachable (the engine then works offline and keeps trying).
const resumeTimeout = 15 * time.Second

// sessionEndedText is shown on the login screen when the saved session was refused.
func sessionEndedText() string { return lang.L("Your session has ended — sign in again.") }

// savedSession returns the remembered login form when this start may resume a saved
// session: not the demo, a token store, a remembered profile, and a cached account
// for the same login (the token is keyed by the account; the profile names its server).
func (u *UI) savedSession() (loginForm, bool) {
	prefs := u.fyneApp.Preferences()
	if u.deps.Demo != nil || u.deps.Tokens == nil || prefs == nil || prefs.String(prefLoginForm) == "" {
		return loginForm{}, false
	}
	f := loadForm(prefs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	acc, err := u.deps.Cache.Account(ctx)
	if err != nil {
		u.log.Warn("reading the cached account", "err", err)
		return f, false
	}
	if acc == nil || f.Login == "" || !strings.EqualFold(acc.Login, f.Login) {
		return f, false
	}
	return f, true
}

// resume signs in with the saved session of form f off the UI goroutine, showing
// "Signing in…" on the (pre-filled) login screen meanwhile. noSession runs when there
// is nothing to resume; nil leaves the login screen as it is.
func (u *UI) resume(f loginForm, noSession func()) {
	s := u.login
	profile, err := s.profileFor(f)
	if err != nil {
		// A remembered profile that no longer validates: the form shows it for fixing.
		u.log.Warn("the remembered server profile is not usable", "err", err)
		s.showError(err.Error())
		return
	}
	s.setBusy(true)
	engine := u.newEngine(profile)
	u.bg.Go(func() {
		ctx, cancel := context.WithTimeout(u.ctx, resumeTimeout)
		err := engine.Resume(ctx)
		cancel()
		runOnUI(func() { u.resumed(engine, err, noSession) })
	})
}

// resumed shows the outcome of resume: the main screen (offline banner when the server
// did not answer), or the login screen, with a reason when the session has ended.
func (u *UI) resumed(engine *csync.Engine, err error, noSession func()) {
	s := u.login
	s.setBusy(false)
	if u.ctx.Err() != nil {
		return // the window closed meanwhile
	}
	switch {
	case err == nil || errors.Is(err, csync.ErrOffline):
		u.signedIn(engine, err != nil)
		return
	case errors.Is(err, csync.ErrAuth):
		u.log.Info("the saved session has ended", "err", err)
		s.password.SetText("")
		s.showError(sessionEndedText())
	case errors.Is(err, csync.ErrNoSavedSession):
		u.log.Info("no saved session to resume", "err", err)
		if noSession != nil {
			noSession()
			return
		}
	default:
		u.log.Warn("resuming the saved session failed", "err", err)
		s.showError(lang.L("Your saved session could not be restored — sign in again."))
	}
	u.win.Canvas().Focus(s.password)
}
