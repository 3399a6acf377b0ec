package app

import (
	"fyne.io/fyne/v2/lang"

	"context"
	"strings"
	"unicode/utf8"

	"github.com/cubechat/cubechat/cache"
)

// Edit mode: the composer holds the message's text, a chip above it says what is being
// edited and offers Cancel; Enter saves. What the composer held before is put back
// afterwards, so starting an edit never loses a draft.

// startEdit puts msg's text in the composer for editing.
func (c *chatPane) startEdit(msg cache.Message) {
	c.reply.cancel() // one message at a time: the edit replaces a reply being written
	if c.editing.ID == "" {
		c.editDraft = c.composer.Text
	}
	c.editing = msg
	c.editLabel.SetText(lang.X("edit.label", "Editing: {{.Text}}", msgData{"Text": strings.Join(strings.Fields(msg.Body), " ")}))
	c.editChip.Show()
	c.composer.OnChanged = nil
	c.composer.SetText(msg.Body)
	c.composer.OnChanged = c.typed
	// The cursor goes to the end, where one usually continues or corrects.
	lines := strings.Split(msg.Body, "\n")
	c.composer.CursorRow = len(lines) - 1
	c.composer.CursorColumn = utf8.RuneCountInString(lines[len(lines)-1])
	c.composer.Refresh()
	c.footer.Refresh()
	// The window's canvas, not CanvasForObject: a pane shown a moment ago is not yet
	// known to the driver, and its composer would go unfocused.
	c.m.ui.win.Canvas().Focus(c.composer)
}

// cancelEdit leaves edit mode and restores the draft.
func (c *chatPane) cancelEdit() {
	if c.editing.ID == "" {
		return
	}
	c.editing = cache.Message{}
	c.editChip.Hide()
	c.composer.OnChanged = nil
	c.composer.SetText(c.editDraft)
	c.composer.OnChanged = c.typed
	c.editDraft = ""
	c.footer.Refresh()
}

// saveEdit sends the new text. An unchanged text just leaves edit mode; on failure the
// edited text stays in the composer, still in edit mode.
func (c *chatPane) saveEdit(text string) {
	msg := c.editing
	if strings.TrimSpace(text) == strings.TrimSpace(msg.Body) {
		c.cancelEdit()
		return
	}
	c.sending = true
	c.sendBtn.Disable()
	c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, loadTimeout)
		err := c.m.engine.Edit(ctx, msg.ID, text)
		cancel()
		runOnUI(func() {
			c.sending = false
			c.sendBtn.Enable()
			if err != nil {
				c.m.log.Warn("edit failed", "message", msg.ID, "err", err)
				c.showSendError(lang.X("edit.failed", "Your edit was not saved and is still in the box: {{.Error}}", msgData{"Error": actionErrorText(err)}))
				return
			}
			c.showSendError("")
			if c.editing.ID == msg.ID && c.composer.Text == text {
				c.cancelEdit()
			}
		})
	})
}

// EditingID is the id of the message being edited ("" when none).
func (c *chatPane) EditingID() string { return c.editing.ID }
