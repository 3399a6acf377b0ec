package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// The "+" menu over the dialogs list: a private chat with someone found by name, a group
// with a name and members, a new public dialog (anyone may find and join it), or a
// public dialog to browse and join.

func (m *mainScreen) showNewChatMenu() {
	menu := fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("New private chat…"), m.showNewPrivateChat),
		fyne.NewMenuItem(lang.L("New group…"), m.showNewGroup),
		fyne.NewMenuItem(lang.L("New public chat…"), m.showNewPublic),
		fyne.NewMenuItem(lang.L("Browse public chats…"), m.showPublicDialogs),
	)
	widget.ShowPopUpMenuAtRelativePosition(menu, m.ui.win.Canvas(), fyne.NewPos(0, m.newChatBtn.Size().Height), m.newChatBtn)
}

func (m *mainScreen) showNewPrivateChat() {
	picker := newUserPicker(m, nil)
	d := dialog.NewCustom(lang.L("New private chat"), lang.L("Cancel"), picker.content, m.ui.win)
	picker.OnPick = func(u cache.User) {
		d.Hide()
		m.createDialog(dialogPrivate, "", []int64{u.ID})
	}
	d.Show()
	m.ui.win.Canvas().Focus(picker.entry)
}

func (m *mainScreen) showNewGroup() {
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.L("Group name"))
	var members []cache.User
	chosen := widget.NewLabel(lang.L("No members yet"))
	chosen.Wrapping = fyne.TextWrapWord
	picker := newUserPicker(m, nil)
	errText := widget.NewLabel("")
	errText.Importance = widget.DangerImportance
	errText.Hide()
	picker.OnPick = func(u cache.User) {
		for _, x := range members {
			if x.ID == u.ID {
				return
			}
		}
		members = append(members, u)
		picker.exclude[u.ID] = true
		names := make([]string, len(members))
		for i, x := range members {
			names[i] = userName(x.ID, map[int64]cache.User{x.ID: x})
		}
		chosen.SetText(lang.X("group.members", "Members: {{.Names}}", msgData{"Names": strings.Join(names, ", ")}))
		picker.search()
	}
	var d *dialog.CustomDialog
	create := widget.NewButtonWithIcon(lang.L("Create"), theme.ConfirmIcon(), func() {
		// The dialog stays open with a hint until the group can be created: nothing
		// typed or picked is lost.
		if msg := newGroupProblem(name.Text, len(members)); msg != "" {
			errText.SetText(msg)
			errText.Show()
			return
		}
		ids := make([]int64, len(members))
		for i, u := range members {
			ids[i] = u.ID
		}
		d.Hide()
		m.createDialog(dialogGroup, strings.TrimSpace(name.Text), ids)
	})
	create.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	name.OnChanged = func(string) { errText.Hide() }
	content := container.NewBorder(container.NewVBox(name, chosen, errText), nil, nil, nil, picker.content)
	d = dialog.NewCustomWithoutButtons(lang.L("New group"), content, m.ui.win)
	d.SetButtons([]fyne.CanvasObject{cancel, create})
	d.Show()
	m.ui.win.Canvas().Focus(name)
}

// newGroupProblem says what is missing before a group can be created ("" = nothing).
func newGroupProblem(name string, members int) string {
	switch {
	case strings.TrimSpace(name) == "":
		return lang.L("Give the group a name.")
	case members == 0:
		return lang.L("Add at least one member.")
	}
	return ""
}

// createDialog creates a dialog on the server and opens it.
func (m *mainScreen) createDialog(typ int, name string, occupants []int64) {
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		id, err := m.engine.CreateDialog(ctx, typ, name, occupants)
		cancel()
		runOnUI(func() {
			if err != nil {
				dialog.ShowError(userError(lang.L("Could not create the chat"), err), m.ui.win)
				return
			}
			m.openWhenListed(id)
		})
	})
}

// openWhenListed opens dialog id, waiting for the list to catch up with the cache.
func (m *mainScreen) openWhenListed(id string) {
	if m.selectDialog(id) {
		return
	}
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		defer cancel()
		d, err := m.db.Dialog(ctx, id)
		if err != nil {
			return
		}
		runOnUI(func() {
			if !m.selectDialog(id) {
				m.openDialog(*d)
			}
		})
	})
}

// showPublicDialogs lists the public dialogs to join.
func (m *mainScreen) showPublicDialogs() {
	var dialogs []cache.Dialog
	status := widget.NewLabel(lang.L("Loading…"))
	status.Importance = widget.LowImportance
	var d dialog.Dialog
	list := widget.NewList(
		func() int { return len(dialogs) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			info := widget.NewLabel("")
			info.SizeName = theme.SizeNameCaptionText
			info.Importance = widget.LowImportance
			info.Truncation = fyne.TextTruncateEllipsis
			join := widget.NewButton(lang.L("Join"), nil)
			join.Importance = widget.HighImportance
			return container.NewBorder(nil, nil, nil, container.NewCenter(join), container.New(&tightRows{}, name, info))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(dialogs) {
				return
			}
			pd := dialogs[id]
			row := o.(*fyne.Container)
			text := row.Objects[0].(*fyne.Container)
			text.Objects[0].(*widget.Label).SetText(dialogTitle(pd, m.me, m.users))
			text.Objects[1].(*widget.Label).SetText(publicDialogInfo(pd))
			join := row.Objects[1].(*fyne.Container).Objects[0].(*widget.Button)
			if pd.Subscribed {
				join.SetText(lang.L("Open"))
			} else {
				join.SetText(lang.L("Join"))
			}
			join.OnTapped = func() {
				d.Hide()
				m.joinPublic(pd)
			}
		},
	)
	d = dialog.NewCustom(lang.L("Public chats"), lang.L("Close"), container.NewGridWrap(fyne.NewSize(420, 340),
		container.NewBorder(status, nil, nil, nil, list)), m.ui.win)
	d.Show()
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		found, err := m.engine.PublicDialogs(ctx)
		cancel()
		runOnUI(func() {
			switch {
			case err != nil:
				status.SetText(lang.X("public.load_failed", "Could not load public chats: {{.Error}}", msgData{"Error": actionErrorText(err)}))
			case len(found) == 0:
				status.SetText(lang.L("There are no public chats yet."))
			default:
				status.SetText("")
				status.Hide()
			}
			dialogs = found // the engine marks the joined ones from the cache
			list.Refresh()
		})
	})
}

// publicDialogInfo is the line under a public dialog's name.
func publicDialogInfo(d cache.Dialog) string {
	n := d.OccupantsCount
	if n == 0 {
		n = len(d.OccupantIDs)
	}
	info := memberCount(n)
	if desc := strings.Join(strings.Fields(d.Description), " "); desc != "" {
		info += " · " + desc
	}
	return info
}

// joinPublic subscribes to a public dialog and opens it.
func (m *mainScreen) joinPublic(d cache.Dialog) {
	if d.Subscribed {
		m.openWhenListed(d.ID)
		return
	}
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		err := m.engine.SubscribePublic(ctx, d.ID)
		cancel()
		runOnUI(func() {
			if err != nil {
				dialog.ShowError(userError(lang.X("public.join_failed", "Could not join {{.Name}}", msgData{"Name": dialogTitle(d, m.me, m.users)}), err), m.ui.win)
				return
			}
			m.openWhenListed(d.ID)
		})
	})
}
