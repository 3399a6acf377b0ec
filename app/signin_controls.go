package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// signInControls are the parts the login screen and the "sign in again" dialog share:
// the error line, the progress bar and the Sign-in button, with their busy and error
// states. refresh lays the owner out again after a part was shown or hidden.
type signInControls struct {
	errorText *widget.Label
	progress  *widget.ProgressBarInfinite
	signInBtn *widget.Button
	busy      bool
	refresh   func()
}

func newSignInControls(submit, refresh func()) signInControls {
	c := signInControls{refresh: refresh}
	c.errorText = widget.NewLabel("")
	c.errorText.Wrapping = fyne.TextWrapWord
	c.errorText.Importance = widget.DangerImportance
	c.errorText.Hide()
	c.progress = widget.NewProgressBarInfinite()
	c.progress.Stop()
	c.progress.Hide()
	c.signInBtn = widget.NewButtonWithIcon("Sign in", theme.LoginIcon(), submit)
	c.signInBtn.Importance = widget.HighImportance
	return c
}

func (c *signInControls) showError(text string) {
	c.errorText.SetText(text)
	c.errorText.Show()
	c.refresh()
}

// ErrorText is the error shown ("" when none).
func (c *signInControls) ErrorText() string {
	if !c.errorText.Visible() {
		return ""
	}
	return c.errorText.Text
}

func (c *signInControls) setBusy(busy bool) {
	c.busy = busy
	if busy {
		c.signInBtn.Disable()
		c.signInBtn.SetText("Signing in…")
		c.errorText.Hide()
		c.progress.Show()
		c.progress.Start()
	} else {
		c.signInBtn.Enable()
		c.signInBtn.SetText("Sign in")
		c.progress.Stop()
		c.progress.Hide()
	}
	c.refresh()
}
