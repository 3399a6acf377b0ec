package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// The main screen's keyboard: window shortcuts (registered on the canvas, and passed on
// by the composer and the search entry, which Fyne gives every shortcut while they have
// the focus) and keys with a meaning where they are typed (Esc, Up, Enter, F1).

// shortcutDef is one action, the key combinations that run it and its line on the sheet.
type shortcutDef struct {
	keys, what string
	combos     []fyne.Shortcut
	run        func()
}

// keyHelp lists the keys that act where they are typed (not window shortcuts).
func keyHelp() [][2]string {
	return [][2]string{
		{lang.X("keys.esc", "Esc"), lang.L("Cancel an edit, clear the search, close a menu, panel or Settings")},
		{lang.X("keys.up", "Up"), lang.L("Edit your last message (in an empty message field)")},
		{lang.X("keys.enter", "Enter"), lang.L("Open the first match (search, quick switcher)")},
		{lang.X("keys.shift_enter", "Shift+Enter"), lang.L("New line in a message")},
	}
}

func combo(key fyne.KeyName, mod fyne.KeyModifier) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: mod}
}

func (m *mainScreen) shortcutDefs() []shortcutDef {
	ctrl := fyne.KeyModifierShortcutDefault
	return []shortcutDef{
		{lang.X("keys.ctrl_f", "Ctrl+F"), lang.L("Search chats and messages"), []fyne.Shortcut{combo(fyne.KeyF, ctrl)}, m.focusSearch},
		{lang.X("keys.ctrl_k", "Ctrl+K"), lang.L("Quick switcher: open a chat by name"), []fyne.Shortcut{combo(fyne.KeyK, ctrl)}, m.showSwitcher},
		{lang.X("keys.ctrl_up", "Ctrl+Up"), lang.L("Reply to the newest message; again: to an earlier one"), []fyne.Shortcut{combo(fyne.KeyUp, ctrl)},
			func() { m.chat.stepReply(-1) }},
		{lang.X("keys.ctrl_down", "Ctrl+Down"), lang.L("Reply to a later message; past the newest: stop replying"), []fyne.Shortcut{combo(fyne.KeyDown, ctrl)},
			func() { m.chat.stepReply(1) }},
		{lang.X("keys.next_chat", "Alt+Down, Ctrl+Tab, Ctrl+PgDn"), lang.L("Next chat"), []fyne.Shortcut{combo(fyne.KeyDown, fyne.KeyModifierAlt),
			combo(fyne.KeyTab, fyne.KeyModifierControl), combo(fyne.KeyPageDown, fyne.KeyModifierControl)},
			func() { m.stepChat(1) }},
		{lang.X("keys.previous_chat", "Alt+Up, Ctrl+Shift+Tab, Ctrl+PgUp"), lang.L("Previous chat"), []fyne.Shortcut{combo(fyne.KeyUp, fyne.KeyModifierAlt),
			combo(fyne.KeyTab, fyne.KeyModifierControl|fyne.KeyModifierShift), combo(fyne.KeyPageUp, fyne.KeyModifierControl)},
			func() { m.stepChat(-1) }},
		{lang.X("keys.ctrl_comma", "Ctrl+,"), lang.L("Settings"), []fyne.Shortcut{combo(fyne.KeyComma, ctrl)}, m.showSettings},
		{lang.X("keys.help", "Ctrl+/, F1"), lang.L("Show this list"), []fyne.Shortcut{combo(fyne.KeySlash, ctrl)}, m.showShortcuts},
		{lang.X("keys.ctrl_q", "Ctrl+Q"), lang.L("Quit"), []fyne.Shortcut{combo(fyne.KeyQ, ctrl)}, m.ui.quit},
	}
}

// installShortcuts registers the shortcuts on the window and the keys typed with
// nothing focused.
func (m *mainScreen) installShortcuts() {
	cv := m.ui.win.Canvas()
	for _, d := range m.shortcutDefs() {
		run := d.run
		for _, c := range d.combos {
			cv.AddShortcut(c, func(fyne.Shortcut) { run() })
		}
	}
	cv.SetOnTypedKey(func(k *fyne.KeyEvent) { m.windowKey(k) })
}

// uninstallShortcuts takes them off the window (the login screen has none of them).
func (m *mainScreen) uninstallShortcuts() {
	cv := m.ui.win.Canvas()
	for _, d := range m.shortcutDefs() {
		for _, c := range d.combos {
			cv.RemoveShortcut(c)
		}
	}
	cv.SetOnTypedKey(nil)
}

// runShortcut runs the window shortcut s; false when s is not one (e.g. Copy).
func (m *mainScreen) runShortcut(s fyne.Shortcut) bool {
	name := s.ShortcutName()
	for _, d := range m.shortcutDefs() {
		for _, c := range d.combos {
			if c.ShortcutName() == name {
				d.run()
				return true
			}
		}
	}
	return false
}

// windowKey handles a key typed with nothing focused.
func (m *mainScreen) windowKey(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyEscape:
		return m.escape()
	case fyne.KeyF1:
		m.showShortcuts()
		return true
	}
	return false
}

// composerKey handles the composer's keys before it types them.
func (m *mainScreen) composerKey(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyUp:
		if m.chat.composer.Text == "" {
			return m.chat.editLastOwn()
		}
	case fyne.KeyEscape, fyne.KeyF1:
		return m.windowKey(k)
	}
	return false
}

// escape undoes the innermost thing: a message's menu, the shortcut sheet, Settings or the info panel,
// then an edit, then a search.
func (m *mainScreen) escape() bool {
	if m.chat.closeMessageMenu() {
		return true
	}
	if m.chat.media.escape() { // the send sheet, the image viewer (media.go)
		return true
	}
	switch {
	case m.sheet != nil:
		m.sheet.Hide()
	case m.settings != nil:
		m.settings.close()
	case m.info != nil:
		m.info.win.Hide()
	case m.chat.selectText != nil:
		m.chat.selectText.Hide()
	case m.chat.editing.ID != "":
		m.chat.cancelEdit()
	case m.chat.reply.active():
		m.chat.reply.cancel()
	case m.search.entry.Text != "":
		m.search.entry.SetText("")
	default:
		return false
	}
	return true
}

// focusSearch puts the cursor in the search box, its text selected for a new query.
func (m *mainScreen) focusSearch() {
	m.ui.win.Canvas().Focus(m.search.entry)
	m.search.entry.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// stepChat opens the chat delta rows below (or above) the open one in the list.
func (m *mainScreen) stepChat(delta int) {
	if len(m.shown) == 0 {
		return
	}
	at := -1
	open := m.openDialogID()
	for i, d := range m.shown {
		if d.ID == open {
			at = i
			break
		}
	}
	next := at + delta
	if at < 0 {
		next = 0
	}
	if next < 0 || next >= len(m.shown) {
		return // the first or last chat: stay
	}
	m.selectDialog(m.shown[next].ID)
	m.list.ScrollTo(next)
}

// editLastOwn starts editing the newest own message that can be edited (Up in an
// empty composer, as in Telegram); false when there is none loaded.
func (c *chatPane) editLastOwn() bool {
	msgs := c.history.msgs
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].SenderID == c.m.me && availableMessageActions(msgs[i], c.dialog, c.m.me).Edit {
			c.startEdit(msgs[i])
			return true
		}
	}
	return false
}

// showShortcuts shows the sheet of keyboard shortcuts.
func (m *mainScreen) showShortcuts() {
	if m.sheet != nil {
		return // already open
	}
	// Keys in a column as wide as the widest; what they do wraps in the rest, so a long
	// translation stays readable in a small window.
	form := container.New(layout.NewFormLayout())
	add := func(keys, what string) {
		form.Add(widget.NewLabelWithStyle(keys, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		d := widget.NewLabel(what)
		d.Wrapping = fyne.TextWrapWord
		form.Add(d)
	}
	for _, d := range m.shortcutDefs() {
		add(d.keys, d.what)
	}
	for _, k := range slices.Concat(keyHelp(), mediaKeyHelp()) {
		add(k[0], k[1])
	}
	scroll := container.NewVScroll(form)
	win := m.ui.win.Canvas().Size()
	scroll.SetMinSize(fyne.NewSize(fyne.Min(760, win.Width*0.9), fyne.Min(620, win.Height*0.75)))
	sheet := dialog.NewCustom(lang.L("Keyboard shortcuts"), lang.L("Close"), scroll, m.ui.win)
	sheet.SetOnClosed(func() { m.sheet = nil })
	m.sheet = sheet
	sheet.Show()
}
