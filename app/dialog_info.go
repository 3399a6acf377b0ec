package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
	"github.com/cubechat/cubechat/widgets"
)

// dialogInfo is the info panel of one dialog, in a dialog window: name, description,
// members and what the user's role allows with them, notifications, clear history,
// leave / delete, and for private chats blocking. It is rebuilt when the dialog, its
// users or the block list change while it is open.
type dialogInfo struct {
	m       *mainScreen
	id      string
	win     dialog.Dialog
	body    *fyne.Container
	blocked bool
	mutual  bool
	built   string // infoKey of what the panel shows: a change elsewhere does not rebuild it
}

// showDialogInfo opens the info panel of dialog id.
func (m *mainScreen) showDialogInfo(id string) {
	if id == "" {
		return
	}
	info := &dialogInfo{m: m, id: id, body: container.NewVBox()}
	scroll := container.NewVScroll(info.body)
	info.win = dialog.NewCustom(lang.L("Chat info"), lang.L("Close"), container.NewGridWrap(fyne.NewSize(440, 520), scroll), m.ui.win)
	info.win.SetOnClosed(func() {
		if m.info == info {
			m.info = nil
		}
	})
	m.info = info
	info.refresh()
	info.win.Show()
}

// refreshInfo rebuilds the open info panel from the latest data.
func (m *mainScreen) refreshInfo() {
	if m.info != nil {
		m.info.refresh()
	}
}

// refresh reads the block state off the UI goroutine, then rebuilds.
func (i *dialogInfo) refresh() {
	d, ok := i.dialog()
	if !ok {
		i.win.Hide() // the dialog is gone
		return
	}
	i.build(d)
	peer := peerOf(d, i.m.me)
	if d.Type != dialogPrivate || peer == 0 {
		return
	}
	i.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(i.m.ctx, loadTimeout)
		blocked, mutual, err := i.m.db.IsBlocked(ctx, peer)
		cancel()
		if err != nil {
			i.m.log.Warn("reading the block list", "err", err)
		}
		runOnUI(func() {
			i.blocked, i.mutual = blocked, mutual
			if d, ok := i.dialog(); ok {
				i.build(d)
			}
		})
	})
}

func (i *dialogInfo) dialog() (cache.Dialog, bool) {
	for _, d := range i.m.dialogs {
		if d.ID == i.id {
			return d, true
		}
	}
	return cache.Dialog{}, false
}

// infoKey names everything the panel shows, so it is rebuilt (losing focus and
// half-typed text) only when one of those changed, not on every new message.
func (i *dialogInfo) infoKey(d cache.Dialog) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d|%q|%q|%d|%v|%v|%t|%t|%t|%t|%d|", d.Type, d.Name, d.Description, d.OwnerID, d.OccupantIDs,
		d.AdminIDs, d.Muted, d.NotificationsEnabled, i.blocked, i.mutual, d.OccupantsCount)
	for _, id := range d.OccupantIDs {
		sb.WriteString(userName(id, i.m.users) + "|")
	}
	sb.WriteString(headerSubtitle(d, i.m.me, i.m.users, time.Now(), time.Local))
	return sb.String()
}

// build lays the panel out for d, unless it already shows exactly that.
func (i *dialogInfo) build(d cache.Dialog) {
	key := i.infoKey(d)
	if key == i.built {
		return
	}
	i.built = key
	m := i.m
	acts := availableDialogActions(d, m.me)
	b := i.body
	b.RemoveAll()

	title := widget.NewLabelWithStyle(dialogTitle(d, m.me, m.users), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	sub := widget.NewLabelWithStyle(headerSubtitle(d, m.me, m.users, time.Now(), time.Local), fyne.TextAlignCenter, fyne.TextStyle{})
	sub.Importance = widget.LowImportance
	b.Add(container.NewCenter(widgets.NewAvatar(title.Text, 64)))
	b.Add(title)
	b.Add(sub)

	if acts.Rename || acts.EditDescription {
		b.Add(i.editForm(d, acts))
	} else if desc := strings.TrimSpace(d.Description); desc != "" {
		l := widget.NewLabel(desc)
		l.Wrapping = fyne.TextWrapWord
		b.Add(l)
	}

	notify := widget.NewCheck(lang.L("Notifications"), nil)
	notify.SetChecked(!d.Muted && d.NotificationsEnabled)
	notify.OnChanged = func(on bool) {
		i.call(lang.L("Could not change notifications"), func(ctx context.Context) error {
			return m.engine.SetNotifications(ctx, d.ID, on)
		})
	}
	b.Add(widget.NewSeparator())
	b.Add(notify)

	if acts.ShowMembers {
		b.Add(widget.NewSeparator())
		b.Add(i.membersSection(d, acts))
	}
	if acts.Block {
		b.Add(widget.NewSeparator())
		b.Add(i.blockSection(d))
	}

	b.Add(widget.NewSeparator())
	if acts.ClearHistory {
		b.Add(i.button(lang.L("Clear history"), theme.ContentClearIcon(), false,
			lang.L("Clear history"), lang.L("Remove every message of this chat from this device and for you on the server?"),
			lang.L("Could not clear the history"), func(ctx context.Context) error { return m.engine.ClearHistory(ctx, d.ID) }))
	}
	if acts.Leave {
		label, question, failed := lang.L("Delete chat for me"), lang.L("Delete this chat from your list? The others keep it."),
			lang.L("Could not delete the chat")
		switch d.Type {
		case dialogGroup:
			label, question, failed = lang.L("Leave group"), lang.L("Leave this group? You will stop receiving its messages."),
				lang.L("Could not leave the group")
		case dialogPublic:
			label, question, failed = lang.L("Leave public chat"), lang.L("Unsubscribe from this public chat?"),
				lang.L("Could not leave the public chat")
		}
		b.Add(i.button(label, theme.LogoutIcon(), true, label, question, failed, func(ctx context.Context) error {
			if d.Type == dialogPublic {
				return m.engine.UnsubscribePublic(ctx, d.ID)
			}
			return m.engine.LeaveDialog(ctx, d.ID)
		}))
	}
	if acts.DeleteForEveryone {
		b.Add(i.button(lang.L("Delete for everyone"), theme.DeleteIcon(), true, lang.L("Delete for everyone"),
			lang.L("Delete this chat and its history for every member? This cannot be undone."),
			lang.L("Could not delete the chat for everyone"), func(ctx context.Context) error { return m.engine.DeleteDialog(ctx, d.ID) }))
	}
	b.Refresh()
}

// editForm edits the name and description; Save sends only what changed.
func (i *dialogInfo) editForm(d cache.Dialog, acts dialogActions) fyne.CanvasObject {
	name := widget.NewEntry()
	name.SetText(d.Name)
	desc := widget.NewMultiLineEntry()
	desc.SetText(d.Description)
	desc.SetMinRowsVisible(2)
	desc.Wrapping = fyne.TextWrapWord
	form := widget.NewForm()
	if acts.Rename {
		form.Append(lang.L("Name"), name)
	}
	if acts.EditDescription {
		form.Append(lang.X("field.description", "Description"), desc)
	}
	save := widget.NewButton(lang.L("Save"), func() {
		var ch csync.DialogChanges
		if n := strings.TrimSpace(name.Text); acts.Rename && n != d.Name {
			if n == "" {
				dialog.ShowInformation(lang.L("Name needed"), lang.L("A chat needs a name."), i.m.ui.win)
				return
			}
			ch.Name = &n
		}
		if t := strings.TrimSpace(desc.Text); acts.EditDescription && t != d.Description {
			ch.Description = &t
		}
		if ch.Name == nil && ch.Description == nil {
			return
		}
		i.call(lang.L("Could not save the changes"), func(ctx context.Context) error {
			return i.m.engine.UpdateDialog(ctx, d.ID, ch)
		})
	})
	return container.NewVBox(form, container.NewHBox(save))
}

// membersSection lists the members with the actions the user's role allows on each.
func (i *dialogInfo) membersSection(d cache.Dialog, acts dialogActions) fyne.CanvasObject {
	m := i.m
	box := container.NewVBox(widget.NewLabelWithStyle(memberCount(len(d.OccupantIDs)),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if acts.AddMembers {
		add := widget.NewButtonWithIcon(lang.L("Add members"), theme.ContentAddIcon(), func() { i.addMembers(d) })
		add.Importance = widget.LowImportance
		box.Add(container.NewHBox(add))
	}
	for _, id := range d.OccupantIDs {
		name := userName(id, m.users)
		switch {
		case id == d.OwnerID:
			name = lang.X("member.owner", "{{.Name}} · owner", msgData{"Name": name})
		case containsID(d.AdminIDs, id):
			name = lang.X("member.admin", "{{.Name}} · admin", msgData{"Name": name})
		}
		if id == m.me {
			name = lang.X("member.you", "{{.Name}} (you)", msgData{"Name": name})
		}
		row := container.NewHBox()
		if acts.ManageAdmins && id != d.OwnerID {
			if containsID(d.AdminIDs, id) {
				row.Add(i.small(lang.L("Remove admin"), func() { i.change(d, csync.DialogChanges{RemoveAdmins: []int64{id}}) }))
			} else if len(d.AdminIDs) < maxAdmins {
				row.Add(i.small(lang.L("Make admin"), func() { i.change(d, csync.DialogChanges{AddAdmins: []int64{id}}) }))
			}
		}
		if canRemoveMember(d, m.me, id) {
			who := userName(id, m.users)
			row.Add(i.small(lang.L("Remove"), func() {
				dialog.ShowConfirm(lang.L("Remove member"), lang.X("member.remove_question", "Remove {{.Name}} from the group?", msgData{"Name": who}), func(ok bool) {
					if ok {
						i.change(d, csync.DialogChanges{RemoveOccupants: []int64{id}})
					}
				}, m.ui.win)
			}))
		}
		label := widget.NewLabel(name)
		label.Truncation = fyne.TextTruncateEllipsis
		box.Add(container.NewBorder(nil, nil, widgets.NewAvatar(userName(id, m.users), 28), row, label))
	}
	return box
}

// addMembers picks users and adds them to the group.
func (i *dialogInfo) addMembers(d cache.Dialog) {
	picker := newUserPicker(i.m, d.OccupantIDs)
	w := dialog.NewCustom(lang.L("Add members"), lang.L("Done"), picker.content, i.m.ui.win)
	picker.OnPick = func(u cache.User) {
		picker.exclude[u.ID] = true
		picker.search()
		i.change(d, csync.DialogChanges{AddOccupants: []int64{u.ID}})
	}
	w.Show()
	i.m.ui.win.Canvas().Focus(picker.entry)
}

// blockSection offers blocking the peer of a private chat, and explains the two kinds.
func (i *dialogInfo) blockSection(d cache.Dialog) fyne.CanvasObject {
	m := i.m
	peer := peerOf(d, m.me)
	who := userName(peer, m.users)
	explain := widget.NewLabel(lang.X("block.explain", "Block: {{.Name}} cannot message you; you can still write to them.\n"+
		"Block both ways: neither of you can message the other.", msgData{"Name": who}))
	explain.Wrapping = fyne.TextWrapWord
	explain.Importance = widget.LowImportance
	box := container.NewVBox()
	switch {
	case i.blocked && i.mutual:
		box.Add(widget.NewLabel(lang.X("block.is_blocked_both", "{{.Name}} is blocked both ways.", msgData{"Name": who})))
	case i.blocked:
		box.Add(widget.NewLabel(lang.X("block.is_blocked", "{{.Name}} is blocked.", msgData{"Name": who})))
	}
	if i.blocked {
		box.Add(container.NewHBox(i.small(lang.L("Unblock"), func() {
			i.call(lang.X("block.unblock_failed", "Could not unblock {{.Name}}", msgData{"Name": who}), func(ctx context.Context) error { return m.engine.Unblock(ctx, peer) })
		})))
		return box
	}
	block := func(mutual bool) func() {
		question := lang.X("block.question", "Block {{.Name}}? They will not be able to message you; you can still write to them.", msgData{"Name": who})
		if mutual {
			question = lang.X("block.question_both", "Block {{.Name}} both ways? Neither of you will be able to message the other.", msgData{"Name": who})
		}
		return func() {
			// Blocking is easy to hit by mistake and silent for the other side: ask first.
			dialog.ShowConfirm(lang.X("block.title", "Block {{.Name}}", msgData{"Name": who}), question, func(ok bool) {
				if ok {
					i.call(lang.X("block.failed", "Could not block {{.Name}}", msgData{"Name": who}), func(ctx context.Context) error { return m.engine.Block(ctx, peer, mutual) })
				}
			}, m.ui.win)
		}
	}
	box.Add(explain)
	one := widget.NewButtonWithIcon(lang.L("Block"), theme.NewErrorThemedResource(theme.CancelIcon()), block(false))
	both := widget.NewButtonWithIcon(lang.L("Block both ways"), theme.NewErrorThemedResource(theme.CancelIcon()), block(true))
	box.Add(container.NewHBox(one, both))
	return box
}

// change sends one dialog update.
func (i *dialogInfo) change(d cache.Dialog, ch csync.DialogChanges) {
	i.call(lang.L("Could not change the chat"), func(ctx context.Context) error {
		return i.m.engine.UpdateDialog(ctx, d.ID, ch)
	})
}

// call runs an engine action and shows a failure in a message box; success shows
// through the cache change that follows.
func (i *dialogInfo) call(what string, f func(ctx context.Context) error) {
	i.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(i.m.ctx, loadTimeout)
		err := f(ctx)
		cancel()
		if err != nil && i.m.ctx.Err() == nil {
			i.m.log.Warn(what, "err", err)
			runOnUI(func() {
				dialog.ShowError(userError(what, err), i.m.ui.win)
				i.built = "" // e.g. put the notifications check back
				i.refresh()
			})
			return
		}
		if err == nil {
			runOnUI(i.refresh)
		}
	})
}

// button is a full-width action that asks first.
func (i *dialogInfo) button(label string, icon fyne.Resource, danger bool, title, question, failed string,
	f func(ctx context.Context) error) fyne.CanvasObject {
	b := widget.NewButtonWithIcon(label, icon, func() {
		dialog.ShowConfirm(title, question, func(ok bool) {
			if ok {
				i.call(failed, f)
			}
		}, i.m.ui.win)
	})
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	if danger {
		b.Icon = theme.NewErrorThemedResource(icon) // a red mark, not a wall of red
	}
	return b
}

func (i *dialogInfo) small(label string, tapped func()) *widget.Button {
	b := widget.NewButton(label, tapped)
	b.Importance = widget.LowImportance
	return b
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
