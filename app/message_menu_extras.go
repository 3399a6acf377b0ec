package app

import (
	"context"
	"slices"
	"strings"

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

// The message menu's actions beyond react, edit, copy and delete: reply, forward, pin
// and unpin, copy link and select text.

// extraActions says which of them a message offers.
type extraActions struct {
	Reply, Forward, Pin, Unpin, CopyLink, SelectText bool
}

// availableExtraActions decides them for m in d. Reply, forward and pin need a message
// the server has (its id is what the others will look up).
func availableExtraActions(m cache.Message, d cache.Dialog, me int64) extraActions {
	if m.Deleted {
		return extraActions{}
	}
	onServer := m.State.Confirmed()
	var a extraActions
	a.Reply = onServer && canPost(d, me)
	a.Forward = onServer && (strings.TrimSpace(m.Body) != "" || len(m.Attachments) > 0)
	pinned := slices.Contains(d.PinnedMessageIDs, m.ID)
	a.Pin = onServer && canPin(d, me) && !pinned
	a.Unpin = canPin(d, me) && pinned
	a.CopyLink = len(widgets.Links(m.Body)) > 0
	a.SelectText = strings.TrimSpace(m.Body) != ""
	return a
}

// canPin tells whether the user may pin in d: both people of a private chat, the owner
// and admins elsewhere (docs/message-extras.md; the server checks the same).
func canPin(d cache.Dialog, me int64) bool {
	if d.Type == dialogPrivate {
		return true
	}
	return roleIn(d, me) >= roleAdmin
}

// menuAdder adds one button to the message menu (see showMessageMenu).
type menuAdder func(label string, icon fyne.Resource, f func(), danger bool)

// addReplyAction puts "Reply" at the top of the actions.
func (c *chatPane) addReplyAction(msg cache.Message, add menuAdder) {
	if availableExtraActions(msg, c.dialog, c.m.me).Reply {
		add(lang.L("Reply"), theme.MailReplyIcon(), func() { c.reply.start(msg) }, false)
	}
}

// addMoreActions adds forward, copy link, select text, pin and unpin.
func (c *chatPane) addMoreActions(msg cache.Message, add menuAdder) {
	a := availableExtraActions(msg, c.dialog, c.m.me)
	if a.Forward {
		add(lang.L("Forward"), theme.MailForwardIcon(), func() { c.forward(msg) }, false)
	}
	if a.CopyLink {
		add(lang.L("Copy link"), theme.ContentCopyIcon(), func() {
			c.m.ui.fyneApp.Clipboard().SetContent(widgets.Links(msg.Body)[0])
		}, false)
	}
	if a.SelectText {
		add(lang.L("Select text"), theme.VisibilityIcon(), func() { c.showSelectText(msg) }, false)
	}
	if a.Pin {
		add(lang.L("Pin"), theme.UploadIcon(), func() { c.setPinned(msg.ID, true) }, false)
	}
	if a.Unpin {
		add(lang.L("Unpin"), theme.DownloadIcon(), func() { c.setPinned(msg.ID, false) }, false)
	}
}

// setPinned pins or unpins message id in the open dialog (the server must agree; the
// pinned bar follows the stored dialog).
func (c *chatPane) setPinned(id string, pin bool) {
	dialogID := c.dialog.ID
	ch := csync.DialogChanges{Unpin: []string{id}}
	what := lang.L("Could not unpin the message")
	if pin {
		ch = csync.DialogChanges{Pin: []string{id}}
		what = lang.L("Could not pin the message")
	}
	c.engineCall(what, func(ctx context.Context) error { return c.m.engine.UpdateDialog(ctx, dialogID, ch) })
}

// showSelectText shows the message's text in a read-only field where any part of it can
// be selected and copied (bubbles draw text that cannot be selected).
func (c *chatPane) showSelectText(msg cache.Message) {
	e := newReadOnlyEntry(msg.Body)
	size := fyne.NewSize(fyne.Min(520, c.m.ui.win.Canvas().Size().Width-40), fyne.Min(320, c.m.ui.win.Canvas().Size().Height-160))
	d := dialog.NewCustom(lang.L("Select text"), lang.L("Close"), container.NewGridWrap(size, e), c.m.ui.win)
	c.selectText = d
	e.onEscape = d.Hide
	d.SetOnClosed(func() {
		if c.selectText == d {
			c.selectText = nil
		}
	})
	d.Show()
	c.m.ui.win.Canvas().Focus(e)
}

// readOnlyEntry is a multi-line entry that keeps its text: typing, pasting and cutting
// change nothing, while selecting and copying work as in any entry. (A disabled entry
// would not let the user select.)
type readOnlyEntry struct {
	widget.Entry
	text     string
	onEscape func() // Esc closes what shows the entry
}

func newReadOnlyEntry(text string) *readOnlyEntry {
	e := &readOnlyEntry{text: text}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	e.SetText(text)
	e.OnChanged = func(s string) {
		if s != e.text {
			e.SetText(e.text)
		}
	}
	return e
}

// TypedRune ignores typing.
func (e *readOnlyEntry) TypedRune(rune) {}

// TypedKey lets the keys through that move or select, not those that edit.
func (e *readOnlyEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyBackspace, fyne.KeyDelete, fyne.KeyReturn, fyne.KeyEnter, fyne.KeyTab:
		return
	case fyne.KeyEscape:
		if e.onEscape != nil {
			e.onEscape()
		}
		return
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut refuses paste, cut, undo and redo.
func (e *readOnlyEntry) TypedShortcut(s fyne.Shortcut) {
	switch s.(type) {
	case *fyne.ShortcutPaste, *fyne.ShortcutCut, *fyne.ShortcutUndo, *fyne.ShortcutRedo:
		return
	}
	e.Entry.TypedShortcut(s)
}
