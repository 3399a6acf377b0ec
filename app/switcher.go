package app

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// switcher is the quick switcher (Ctrl+K): a name typed narrows the chats, Enter opens
// the first, Esc closes it. Forward uses it as its chat picker (forward.go).
type switcher struct {
	m       *mainScreen
	onPick  func(cache.Dialog)
	keep    func(cache.Dialog) bool // nil = every chat
	entry   *widgets.KeyEntry
	list    *widget.List
	matches []cache.Dialog
	none    *widget.Label // "No chat matches", in place of an empty list
	popup   *widget.PopUp
}

func (m *mainScreen) showSwitcher() {
	m.showChatPicker("", lang.L("Open a chat…"), nil, func(d cache.Dialog) { m.selectDialog(d.ID) })
}

// showChatPicker shows the switcher with a title ("" = none) and a placeholder, for
// the chats keep accepts; picking one closes it and calls onPick.
func (m *mainScreen) showChatPicker(title, placeholder string, keep func(cache.Dialog) bool, onPick func(cache.Dialog)) {
	s := &switcher{m: m, onPick: onPick, keep: keep}
	s.entry = widgets.NewKeyEntry()
	s.entry.SetPlaceHolder(placeholder)
	s.entry.OnChanged = func(string) { s.filter() }
	s.entry.OnKey = s.key
	s.entry.OnShortcut = func(sc fyne.Shortcut) bool {
		if sc.ShortcutName() == combo(fyne.KeyK, fyne.KeyModifierShortcutDefault).ShortcutName() {
			s.close() // Ctrl+K again closes it, as in Telegram
			return true
		}
		return false
	}
	s.list = widget.NewList(
		func() int { return len(s.matches) },
		func() fyne.CanvasObject { return widgets.NewDialogRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(s.matches) {
				o.(*widgets.DialogRow).Update(dialogRow(s.matches[id], m.me, m.users, time.Now(), time.Local))
			}
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) { s.pick(id) }
	s.none = widget.NewLabelWithStyle(lang.L("No chat matches — search messages with Ctrl+F"), fyne.TextAlignCenter, fyne.TextStyle{})
	s.none.Importance = widget.LowImportance
	s.filter()
	var top fyne.CanvasObject = s.entry
	if title != "" {
		top = container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.entry)
	}
	box := container.NewBorder(top, nil, nil, nil, container.NewStack(s.list, container.NewCenter(s.none)))
	s.popup = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(420, 360), box), m.ui.win.Canvas())
	s.popup.Show()
	m.ui.win.Canvas().Focus(s.entry)
}

func (s *switcher) filter() {
	s.matches = filterDialogs(s.m.dialogs, s.entry.Text, s.m.me, s.m.users)
	if s.keep != nil {
		s.matches = slices.DeleteFunc(slices.Clone(s.matches), func(d cache.Dialog) bool { return !s.keep(d) })
	}
	s.none.Hidden = len(s.matches) > 0
	s.none.Refresh()
	s.list.Refresh()
}

func (s *switcher) key(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		s.pick(0)
	case fyne.KeyEscape:
		s.close()
	default:
		return false
	}
	return true
}

// pick opens match id and closes the switcher.
func (s *switcher) pick(id int) {
	if id < 0 || id >= len(s.matches) {
		return // nothing matches: the switcher stays open with the text
	}
	d := s.matches[id]
	s.close()
	s.onPick(d)
}

func (s *switcher) close() {
	s.popup.Hide()
	if c := s.m.chat.composer; s.m.chat.dialog.ID != "" {
		s.m.ui.win.Canvas().Focus(c)
	}
}
