package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	csync "github.com/cubechat/cubechat/sync"
)

// signInDialog asks for the password when the session has ended for good
// (Status.NeedsSignIn) and signs in again on the same, running engine: the main screen
// and the cached chats stay in view, and the engine goes back online by itself. A wrong
// password keeps the dialog open and says so. The password lives in the entry only
// until the sign-in ends.
type signInDialog struct {
	m     *mainScreen
	login string

	dlg       *dialog.CustomDialog
	password  *widget.Entry
	cancelBtn *widget.Button
	closed    bool
	signInControls
}

// askPassword opens the sign-in dialog (once: a second tap focuses the open one).
func (m *mainScreen) askPassword() {
	if m.signIn != nil {
		m.ui.win.Canvas().Focus(m.signIn.password)
		return
	}
	d := &signInDialog{m: m, login: m.ui.login.form().Login}
	d.password = widget.NewPasswordEntry()
	d.password.SetPlaceHolder(lang.L("password"))
	d.password.OnSubmitted = func(string) { d.submit() }
	d.signInControls = newSignInControls(d.submit, func() {
		if d.dlg != nil {
			d.dlg.Refresh()
		}
	})

	intro := widget.NewLabel(lang.X("signin.again_intro",
		"Your session has ended. Enter the password of {{.Login}} to go back online; your chats stay open meanwhile.",
		msgData{"Login": d.login}))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(intro,
		widget.NewForm(widget.NewFormItem(lang.L("Password"), d.password)),
		d.slot)

	d.cancelBtn = widget.NewButton(lang.L("Not now"), d.close)
	d.dlg = dialog.NewCustomWithoutButtons(lang.L("Sign in again"), content, m.ui.win)
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancelBtn, d.signInBtn})
	d.dlg.SetOnClosed(d.forget)
	d.dlg.Resize(fyne.NewSize(420, d.dlg.MinSize().Height))
	m.signIn = d
	d.dlg.Show()
	m.ui.win.Canvas().Focus(d.password)
}

// submit signs in with the typed password off the UI goroutine.
func (d *signInDialog) submit() {
	if d.busy || d.closed {
		return
	}
	password := d.password.Text
	if password == "" {
		d.showError(lang.L("Enter your password."))
		return
	}
	d.setBusy(true)
	m := d.m
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, signInTimeout)
		defer cancel()
		login := d.login
		// The cached account holds the server's spelling of the login, which keys the
		// saved token; the form holds what was typed.
		if acc, err := m.db.Account(ctx); err == nil && acc != nil && acc.Login != "" {
			login = acc.Login
		}
		err := m.engine.Login(ctx, login, password)
		runOnUI(func() { d.finish(err) })
	})
}

// finish closes the dialog after a sign-in (also an offline one: the engine keeps
// trying with the password), or explains the failure and stays open.
func (d *signInDialog) finish(err error) {
	d.setBusy(false)
	if d.closed || d.m.ctx.Err() != nil {
		return // dismissed, or the main screen is gone
	}
	if err == nil || errors.Is(err, csync.ErrOffline) {
		d.close()
		return
	}
	d.m.log.Warn("signing in again failed", "err", err)
	if errors.Is(err, csync.ErrAuth) {
		d.showError(lang.L("Wrong password. Try again."))
	} else {
		d.showError(loginErrorText(err))
	}
	d.m.ui.win.Canvas().Focus(d.password)
}

// close hides the dialog and drops the password.
func (d *signInDialog) close() {
	if d.closed {
		return
	}
	d.dlg.Hide() // runs forget
}

// forget runs however the dialog went away: the password leaves the widget.
func (d *signInDialog) forget() {
	d.closed = true
	d.password.SetText("")
	if d.m.signIn == d {
		d.m.signIn = nil
	}
}
