package app

import (
	"errors"
	"os/exec"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// openFailed says in words why a file did not open with the system's viewer and offers
// to save a copy instead (the usual case: no program is set up to open it).
func (c *chatPane) openFailed(messageID, uid string, err error) {
	text := widget.NewLabel(openErrorText(err))
	text.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	save := widget.NewButtonWithIcon(lang.L("Save a copy…"), theme.DocumentSaveIcon(), func() {
		d.Hide()
		c.saveAttachment(messageID, uid)
	})
	save.Importance = widget.HighImportance
	closeBtn := widget.NewButton(lang.L("Close"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(lang.L("Cannot open the file"), text, c.m.ui.win)
	d.SetButtons([]fyne.CanvasObject{closeBtn, save})
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}

// openErrorText explains a failed open without the launcher's raw error.
func openErrorText(err error) string {
	if errors.Is(err, exec.ErrNotFound) {
		return lang.L("This computer has no program set up to open files (the desktop's file opener is missing). You can save a copy and open it yourself.")
	}
	return lang.L("The system could not open this file. You can save a copy and open it yourself.")
}
