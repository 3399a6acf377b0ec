package app

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// The message actions menu: a row of quick reactions over the actions the message
// allows (availableMessageActions). Every action calls the engine off the UI goroutine;
// a failure shows a notice and changes nothing on screen (the cache was not touched).

// messageByID finds a message of the open window.
func (h *historyView) messageByID(id string) (cache.Message, bool) {
	for _, m := range h.msgs {
		if m.ID == id {
			return m, true
		}
	}
	return cache.Message{}, false
}

// showMessageMenu opens the menu of message id at the absolute position at.
func (c *chatPane) showMessageMenu(id string, at fyne.Position) {
	msg, ok := c.history.messageByID(id)
	if !ok {
		return
	}
	acts := availableMessageActions(msg, c.dialog, c.m.me)
	cv := c.m.ui.win.Canvas()
	var pop *widget.PopUp
	run := func(f func()) func() {
		return func() {
			c.closeMessageMenu()
			f()
		}
	}

	items := container.NewVBox()
	if acts.React {
		mine := msg.ReactionsOf(c.m.me)
		row := container.NewHBox()
		for _, emoji := range quickReactions {
			// Already mine: drawn selected, and tapping removes it.
			row.Add(widgets.NewEmojiButton(emoji, slices.Contains(mine, emoji), run(func() { c.react(id, emoji) })))
		}
		items.Add(row)
		items.Add(widget.NewSeparator())
	}
	add := func(label string, icon fyne.Resource, f func(), danger bool) {
		b := widget.NewButtonWithIcon(label, icon, run(f))
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		if danger {
			b.Icon = theme.NewErrorThemedResource(icon)
		}
		items.Add(b)
	}
	c.addReplyAction(msg, add)
	if acts.Edit {
		add(lang.L("Edit"), theme.DocumentCreateIcon(), func() { c.startEdit(msg) }, false)
	}
	if acts.Copy {
		add(lang.L("Copy text"), theme.ContentCopyIcon(), func() { c.m.ui.fyneApp.Clipboard().SetContent(msg.Body) }, false)
	}
	c.addMoreActions(msg, add)
	if acts.Retry {
		add(lang.L("Retry"), theme.ViewRefreshIcon(), func() { c.retry(id) }, false)
	}
	if acts.DeleteForMe {
		add(lang.L("Delete for me"), theme.DeleteIcon(), func() { c.confirmDelete(id, false) }, false)
	}
	if acts.DeleteForEvery {
		add(lang.L("Delete for everyone"), theme.DeleteIcon(), func() { c.confirmDelete(id, true) }, true)
	}
	c.closeMessageMenu()
	pop = widget.NewPopUp(items, cv)
	c.menu = pop
	// Keep the menu inside the window when opened near its right or bottom edge.
	size := pop.MinSize()
	win := cv.Size()
	pos := fyne.NewPos(fyne.Min(at.X, win.Width-size.Width), fyne.Min(at.Y, win.Height-size.Height))
	pop.ShowAtPosition(fyne.NewPos(fyne.Max(pos.X, 0), fyne.Max(pos.Y, 0)))
}

// closeMessageMenu hides the open message menu and tells whether one was open (a tap
// outside hides it too, without telling us: hence the Visible check).
func (c *chatPane) closeMessageMenu() bool {
	pop := c.menu
	c.menu = nil
	if pop == nil || !pop.Visible() {
		return false
	}
	pop.Hide()
	return true
}

// react toggles emoji on message id (add, or remove when it is already mine).
func (c *chatPane) react(id, emoji string) {
	c.engineCall(lang.L("Could not react"), func(ctx context.Context) error { return c.m.engine.React(ctx, id, emoji) })
}

// confirmDelete asks before deleting; deleting for everyone cannot be undone.
func (c *chatPane) confirmDelete(id string, forEveryone bool) {
	title, text := lang.L("Delete message"), lang.L("Delete this message from this device?")
	if forEveryone {
		title, text = lang.L("Delete for everyone"), lang.L("Delete this message for everyone in the chat? This cannot be undone.")
	}
	dialog.ShowConfirm(title, text, func(ok bool) {
		if !ok {
			return
		}
		if c.editing.ID == id {
			c.cancelEdit()
		}
		c.engineCall(lang.L("Could not delete the message"), func(ctx context.Context) error {
			return c.m.engine.Delete(ctx, id, forEveryone)
		})
	}, c.m.ui.win)
}

// engineCall runs an engine action off the UI goroutine and explains a failure in a
// notice ("what failed: why").
func (c *chatPane) engineCall(what string, call func(ctx context.Context) error) {
	c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, loadTimeout)
		err := call(ctx)
		cancel()
		if err != nil && c.m.ctx.Err() == nil {
			c.m.log.Warn(what, "err", err)
			runOnUI(func() {
				c.showNotice(lang.X("action.failed_notice", "{{.What}}: {{.Error}}", msgData{"What": what, "Error": actionErrorText(err)}))
			})
		}
	})
}
