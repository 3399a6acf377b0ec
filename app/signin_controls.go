package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// signInControls are the parts the login screen and the "sign in again" dialog share:
// the error line, the progress bar and the Sign-in button, with their busy and error
// states. refresh lays the owner out again after a part was shown or hidden.
type signInControls struct {
	errorText *widget.Label
	progress  *widget.ProgressBarInfinite
	// slot holds the error line and the progress bar in one place that keeps at least
	// one line's height, so neither pushes the Sign-in button when it appears.
	slot      fyne.CanvasObject
	signInBtn *widget.Button
	busy      bool
	refresh   func()
}

// lineSample measures one line of text (a tall and a short letter); it is never shown.
const lineSample = "Xy"

func newSignInControls(submit, refresh func()) signInControls {
	c := signInControls{refresh: refresh}
	c.errorText = widget.NewLabel("")
	c.errorText.Wrapping = fyne.TextWrapWord
	c.errorText.Importance = widget.DangerImportance
	c.errorText.Hide()
	c.progress = widget.NewProgressBarInfinite()
	c.progress.Stop()
	c.progress.Hide()
	c.signInBtn = widget.NewButtonWithIcon(lang.L("Sign in"), theme.LoginIcon(), submit)
	c.signInBtn.Importance = widget.HighImportance
	reserve := canvas.NewRectangle(color.Transparent)
	reserve.SetMinSize(fyne.NewSize(0, widget.NewLabel(lineSample).MinSize().Height))
	c.slot = container.NewStack(reserve, c.errorText, container.NewVBox(c.progress))
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
		c.signInBtn.SetText(lang.L("Signing in…"))
		c.errorText.Hide()
		c.progress.Show()
		c.progress.Start()
	} else {
		c.signInBtn.Enable()
		c.signInBtn.SetText(lang.L("Sign in"))
		c.progress.Stop()
		c.progress.Hide()
	}
	c.refresh()
}
