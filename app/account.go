package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	csync "github.com/cubechat/cubechat/sync"
)

// The account menu and the way off the main screen: "Sign out" (end the session and
// forget the account on this device). "Retry now" (engine.ReconnectNow) and "Sign in
// again" (signin_dialog.go) stay on the main screen with the same engine.

func (m *mainScreen) showAccountMenu() {
	who := userName(m.me, m.users)
	menu := fyne.NewMenu("",
		fyne.NewMenuItem(lang.X("account.signed_in_as", "Signed in as {{.Name}}", msgData{"Name": who}), nil),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(lang.L("Settings…"), m.showSettings),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(lang.L("Sign out…"), m.ui.confirmSignOut),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(lang.L("About cubechat"), m.ui.showAbout),
	)
	menu.Items[0].Disabled = true
	widget.ShowPopUpMenuAtRelativePosition(menu, m.ui.win.Canvas(), fyne.NewPos(0, m.accountBtn.Size().Height), m.accountBtn)
}

// showAbout names the app and its version.
func (u *UI) showAbout() {
	dialog.ShowInformation(lang.L("About cubechat"), lang.X("about.text",
		"cubechat {{.Version}}\nA desktop messenger for the ConnectyCube chat platform.", msgData{"Version": u.deps.Version}), u.win)
}

// leaveMainScreen shows the login screen at once, stops the main screen, and, off the UI
// goroutine (the window must not wait), waits for the screen's goroutines and then ends
// the engine with end (nil = Stop, which waits for the engine's goroutines). then runs
// on the UI goroutine once the engine has fully ended, so nothing it does can race with
// the old engine's last writes.
func (u *UI) leaveMainScreen(end func(*csync.Engine), then func()) {
	u.mu.Lock()
	e := u.engine
	u.engine = nil
	u.mu.Unlock()
	old := u.main
	if old != nil {
		old.stop()
		if old.settings != nil {
			old.settings.close()
		}
		old.chat.media.closeAll() // overlays of the window, which stays
		u.main = nil
		u.win.SetOnDropped(nil)
		old.uninstallShortcuts()
	}
	if end == nil {
		end = (*csync.Engine).Stop
	}
	u.win.SetTitle("cubechat")
	u.tray.set(0, nil)
	u.showScreen(u.login.content)
	u.bg.Go(func() {
		if old != nil {
			old.wait()
		}
		if e != nil {
			end(e)
		}
		if then != nil && u.ctx.Err() == nil {
			runOnUI(then)
		}
	})
}

// confirmSignOut asks, then signs out: the server session ends, the saved token and the
// cached account go, and the login screen shows with the login filled in. Cached chats
// stay in the cache (they are reused if the account signs in again).
func (u *UI) confirmSignOut() {
	dialog.ShowConfirm(lang.L("Sign out"),
		lang.L("Sign out of cubechat on this device? Your chats stay on the server; messages not yet sent stay queued until you sign in again."),
		func(ok bool) {
			if ok {
				u.signOut()
			}
		}, u.win)
}

func (u *UI) signOut() {
	s := u.login
	s.password.SetText("")
	// Busy until the sign-out is done: a new sign-in meanwhile would have its account
	// removed by the old engine's last step.
	s.setBusy(true)
	s.signInBtn.SetText(lang.L("Signing out…"))
	var signOutErr error
	u.leaveMainScreen(func(e *csync.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		signOutErr = e.SignOut(ctx)
	}, func() {
		s.setBusy(false)
		if signOutErr != nil {
			u.log.Error("signing out", "err", signOutErr)
			s.showError(lang.X("signout.failed", "Could not sign out completely: {{.Error}}", msgData{"Error": signOutErr.Error()}))
		}
		u.win.Canvas().Focus(s.password)
	})
}
