package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// The account menu and the ways back to the login screen: "Retry now" (sign in again
// with what the login screen still holds), "Sign in again" (the server refused the
// session) and "Sign out" (forget the account on this device).

func (m *mainScreen) showAccountMenu() {
	who := userName(m.me, m.users)
	menu := fyne.NewMenu("",
		fyne.NewMenuItem("Signed in as "+who, nil),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Sign out…", m.ui.confirmSignOut),
	)
	menu.Items[0].Disabled = true
	widget.ShowPopUpMenuAtRelativePosition(menu, m.ui.win.Canvas(), fyne.NewPos(0, m.accountBtn.Size().Height), m.accountBtn)
}

// leaveMainScreen shows the login screen at once and stops the engine and the main
// screen; then runs on the UI goroutine once the engine has fully stopped, so nothing
// it does can race with the old engine's last writes.
func (u *UI) leaveMainScreen(then func()) {
	u.mu.Lock()
	e := u.engine
	u.engine = nil
	u.mu.Unlock()
	if u.main != nil {
		u.main.stop()
		u.main = nil
	}
	u.win.SetTitle("cubechat")
	u.win.SetContent(u.login.content)
	go func() {
		if e != nil {
			e.Stop() // it waits for its goroutines; the window must not
		}
		if then != nil && u.ctx.Err() == nil {
			runOnUI(then)
		}
	}()
}

// reconnect builds a new engine and signs in again with the login screen's form (the
// password is still in its field, in memory only). Stop is final for an engine, so
// this is how "Retry now" connects at once instead of waiting for the next attempt.
func (u *UI) reconnect() {
	if u.login.password.Text == "" {
		u.signInAgain()
		return
	}
	u.login.setBusy(true) // shows "Signing in…" while the old engine stops
	u.leaveMainScreen(func() {
		u.login.setBusy(false)
		u.login.signIn()
	})
}

// signInAgain returns to the login screen with the login filled in, for a new password.
func (u *UI) signInAgain() {
	u.leaveMainScreen(nil)
	u.login.password.SetText("")
	u.login.showError("The server asked you to sign in again.")
	u.win.Canvas().Focus(u.login.password)
}

// confirmSignOut asks, then forgets the account on this device. Cached chats stay in
// the cache (they are reused if the account signs in again); the account row and the
// password in memory go.
func (u *UI) confirmSignOut() {
	dialog.ShowConfirm("Sign out",
		"Sign out of cubechat on this device? Your chats stay on the server; messages not yet sent stay queued until you sign in again.",
		func(ok bool) {
			if !ok {
				return
			}
			u.login.password.SetText("")
			// The account goes only after the engine stopped, so it cannot save it again.
			u.leaveMainScreen(func() {
				go func() {
					ctx, cancel := context.WithTimeout(u.ctx, loadTimeout)
					defer cancel()
					if err := u.deps.Cache.DeleteAccount(ctx); err != nil {
						u.log.Error("signing out", "err", err)
						runOnUI(func() { u.login.showError("Could not sign out completely: " + err.Error()) })
					}
				}()
			})
		}, u.win)
}
