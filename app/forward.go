package app

import (
	"context"

	"fyne.io/fyne/v2/lang"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
)

// forward asks for a chat (the quick switcher, limited to chats the user may post in)
// and sends a copy of msg there: its text and its files, by their blob uids, with the
// forwarded_from_* parameters (docs/message-extras.md). The chat forwarded to opens,
// so the copy is seen going out.
func (c *chatPane) forward(msg cache.Message) {
	m := c.m
	keep := func(d cache.Dialog) bool { return canPost(d, m.me) }
	m.showChatPicker(lang.L("Forward message"), lang.L("Search chats…"), keep, func(d cache.Dialog) {
		out := csync.Outgoing{Body: msg.Body, Attachments: msg.Attachments, Custom: forwardParams(msg, m.users)}
		m.bg.Go(func() {
			ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
			_, err := m.engine.SendWith(ctx, d.ID, out)
			cancel()
			runOnUI(func() {
				if err != nil {
					if m.ctx.Err() == nil {
						m.log.Warn("forwarding", "to", d.ID, "err", err)
						c.showNotice(lang.L("Could not forward the message") + ": " + actionErrorText(err))
					}
					return
				}
				if c.dialog.ID != d.ID {
					m.selectDialog(d.ID)
				}
				c.history.followBottom()
			})
		})
	})
}
