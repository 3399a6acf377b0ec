package app

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// pinnedBar sits under the chat header while the dialog has pinned messages
// (pinned_messages_ids, kept in the cached dialog): it shows the newest pinned one;
// a click jumps to it and moves the bar on to the one pinned before (as in
// Telegram), and × unpins the one shown, for those who may pin.
type pinnedBar struct {
	c     *chatPane
	box   *fyne.Container
	quote *widgets.QuoteBlock
	unpin *widget.Button

	dialogID string
	ids      []string // pinned ids, in pinning order
	at       int      // the index shown
	gen      uint64   // bumped per shown message; stale excerpt loads are dropped
}

func newPinnedBar(c *chatPane) *pinnedBar {
	p := &pinnedBar{c: c, quote: widgets.NewQuoteBlock()}
	p.quote.OnTapped = p.tapped
	p.unpin = widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
		if id := p.shown(); id != "" {
			c.setPinned(id, false)
		}
	})
	p.unpin.Importance = widget.LowImportance
	row := container.NewBorder(nil, nil, nil, p.unpin, p.quote)
	p.box = container.NewVBox(container.NewPadded(row), widget.NewSeparator())
	p.box.Hide()
	return p
}

// set follows the open dialog's pinned messages (on open and on every dialog change).
func (p *pinnedBar) set(d cache.Dialog) {
	same := d.ID == p.dialogID && slices.Equal(d.PinnedMessageIDs, p.ids)
	p.unpin.Hidden = !canPin(d, p.c.m.me)
	if same {
		return
	}
	p.dialogID, p.ids = d.ID, slices.Clone(d.PinnedMessageIDs)
	p.at = len(p.ids) - 1 // the newest pin first
	wasVisible := p.box.Visible()
	if len(p.ids) == 0 {
		p.box.Hide()
	} else {
		p.box.Show()
		p.showAt()
	}
	if wasVisible != p.box.Visible() {
		p.c.chat.Refresh()
	}
}

// shown is the id of the pinned message on the bar ("" when none).
func (p *pinnedBar) shown() string {
	if p.at < 0 || p.at >= len(p.ids) {
		return ""
	}
	return p.ids[p.at]
}

// title is the bar's first line: which pinned message this is when there are several.
func (p *pinnedBar) title() string {
	if len(p.ids) <= 1 {
		return lang.L("Pinned message")
	}
	return lang.L("Pinned message {{.N}} of {{.Total}}", map[string]any{"N": p.at + 1, "Total": len(p.ids)})
}

// showAt shows the pinned message at p.at; its text comes from the cache.
func (p *pinnedBar) showAt() {
	id, m := p.shown(), p.c.m
	p.gen++
	gen := p.gen
	if msg, ok := p.c.history.messageByID(id); ok {
		p.quote.Set(p.title(), messageExcerpt(msg))
		return
	}
	p.quote.Set(p.title(), "…")
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		msg, err := m.db.Message(ctx, id)
		cancel()
		text := lang.L("A message not loaded yet")
		if err == nil {
			text = messageExcerpt(*msg)
			if msg.Deleted {
				text = lang.L("Message deleted")
			}
		}
		runOnUI(func() {
			if p.gen == gen {
				p.quote.Set(p.title(), text)
			}
		})
	})
}

// follow keeps the bar's text in step with the history: the pinned message shown was
// edited, deleted or just loaded.
func (p *pinnedBar) follow(msgs []cache.Message) {
	id := p.shown()
	if id == "" {
		return
	}
	for _, msg := range msgs {
		if msg.ID == id {
			text := messageExcerpt(msg)
			if msg.Deleted {
				text = lang.L("Message deleted")
			}
			if text != p.quote.Text() {
				p.gen++ // a load still running must not overwrite this
				p.quote.Set(p.title(), text)
			}
			return
		}
	}
}

// tapped jumps to the message shown, then shows the one pinned before it.
func (p *pinnedBar) tapped() {
	id := p.shown()
	if id == "" {
		return
	}
	p.c.jumpToMessage(id)
	if len(p.ids) > 1 {
		p.at = (p.at - 1 + len(p.ids)) % len(p.ids)
		p.showAt()
	}
}

// Text is what the bar says (tests): title and excerpt, "" while hidden.
func (p *pinnedBar) Text() string {
	if !p.box.Visible() {
		return ""
	}
	return p.quote.Sender() + ": " + p.quote.Text()
}
