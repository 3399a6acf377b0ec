package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// replyBar is the chip above the composer while the user answers a message: the
// quoted sender and a line of its text, × (or Esc) to cancel. The next message sent
// carries the quote in its custom parameters (message_extras.go).
type replyBar struct {
	c     *chatPane
	to    cache.Message // "" ID = not replying
	quote *widgets.QuoteBlock
	box   *fyne.Container
}

func newReplyBar(c *chatPane) *replyBar {
	r := &replyBar{c: c, quote: widgets.NewQuoteBlock()}
	r.quote.OnTapped = func() {
		if r.to.ID != "" {
			c.jumpToMessage(r.to.ID)
		}
	}
	cancel := widget.NewButtonWithIcon("", theme.CancelIcon(), r.cancel)
	cancel.Importance = widget.LowImportance
	r.box = container.NewBorder(nil, nil, widget.NewIcon(theme.MailReplyIcon()), cancel, r.quote)
	r.box.Hide()
	return r
}

// start answers msg: the chip shows it and the composer takes the focus.
func (r *replyBar) start(msg cache.Message) {
	c := r.c
	if c.editing.ID != "" {
		c.cancelEdit()
	}
	r.to = msg
	r.quote.Set(userName(msg.SenderID, c.m.users), messageExcerpt(msg))
	r.box.Show()
	c.footer.Refresh()
	c.m.ui.win.Canvas().Focus(c.composer)
}

// cancel stops replying.
func (r *replyBar) cancel() {
	if r.to.ID == "" {
		return
	}
	r.to = cache.Message{}
	r.box.Hide()
	r.c.footer.Refresh()
}

// active tells whether a reply is being written.
func (r *replyBar) active() bool { return r.to.ID != "" }

// params are the custom parameters of the message being written (nil when it
// answers nothing).
func (r *replyBar) params() map[string]string {
	if r.to.ID == "" {
		return nil
	}
	return replyParams(r.to)
}

// sentReply ends the reply once the message that carried id was stored.
func (r *replyBar) sentReply(id string) {
	if r.to.ID == id && id != "" {
		r.cancel()
	}
}

// jumpToMessage scrolls the history to message id of the open dialog (a reply's quote,
// the pinned bar); a message this device does not hold is said so.
func (c *chatPane) jumpToMessage(id string) {
	dialogID := c.dialog.ID
	if _, ok := c.history.messageByID(id); ok {
		c.history.reveal(id)
		return
	}
	c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, loadTimeout)
		m, err := c.m.db.Message(ctx, id)
		cancel()
		runOnUI(func() {
			if c.dialog.ID != dialogID {
				return
			}
			switch {
			case errors.Is(err, cache.ErrNotFound) || (err == nil && m.DialogID != dialogID):
				c.showNotice(lang.L("The original message is not available"))
			case err != nil:
				c.m.log.Warn("looking up a quoted message", "id", id, "err", err)
			default:
				c.history.reveal(id)
			}
		})
	})
}

// stepReply moves the reply to the message delta rows away among those of the window
// that can be answered (Ctrl+Up: -1, Ctrl+Down: +1). Without a reply, Ctrl+Up answers
// the newest; Ctrl+Down past the newest stops replying.
func (c *chatPane) stepReply(delta int) {
	if c.dialog.ID == "" {
		return
	}
	var can []cache.Message
	for _, m := range c.history.msgs {
		if availableExtraActions(m, c.dialog, c.m.me).Reply {
			can = append(can, m)
		}
	}
	at := len(can) // "below the newest": not replying
	for i, m := range can {
		if m.ID == c.reply.to.ID {
			at = i
		}
	}
	next := at + delta
	switch {
	case next >= len(can):
		c.reply.cancel()
	case next >= 0:
		c.reply.start(can[next])
		c.history.reveal(can[next].ID)
	}
}
