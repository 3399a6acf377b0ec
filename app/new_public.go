package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// showNewPublic asks for a public chat's name and creates it: a public dialog has no
// member list to pick, anyone finds it under "Browse public chats" and joins.
func (m *mainScreen) showNewPublic() {
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.L("Public chat name"))
	hint := widget.NewLabel(lang.L("Anyone on this server can find it and join."))
	// The problem line keeps its place while empty, so showing it moves nothing.
	problem := widget.NewLabel(" ")
	problem.Importance = widget.DangerImportance
	var d *dialog.CustomDialog
	create := widget.NewButtonWithIcon(lang.L("Create"), theme.ConfirmIcon(), func() {
		n := strings.TrimSpace(name.Text)
		if n == "" {
			problem.SetText(lang.L("Give the chat a name."))
			return
		}
		d.Hide()
		m.createDialog(dialogPublic, n, nil)
	})
	create.Importance = widget.HighImportance
	name.OnSubmitted = func(string) { create.OnTapped() }
	name.OnChanged = func(string) { problem.SetText(" ") }
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	content := container.NewVBox(name, hint, problem)
	d = dialog.NewCustomWithoutButtons(lang.L("New public chat"), content, m.ui.win)
	d.SetButtons([]fyne.CanvasObject{cancel, create})
	d.Show()
	m.ui.win.Canvas().Focus(name)
}
