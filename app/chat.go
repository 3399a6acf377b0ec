package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// chatPane is the right side: header, connection banner, history and composer. Its
// fields belong to the UI goroutine.
type chatPane struct {
	m       *mainScreen
	content fyne.CanvasObject

	dialog   cache.Dialog // the open dialog ("" ID = none)
	title    *widget.Label
	subtitle *widget.Label
	banner   *widgets.Banner
	history  *historyView

	composer  *widgets.ComposerEntry
	sendBtn   *widget.Button
	sendError *widget.Label
	sending   bool
	drafts    map[string]string // unsent text of dialogs that are not open

	chat        *fyne.Container
	footer      *fyne.Container
	layoutRoot  *fyne.Container
	placeholder fyne.CanvasObject
}

func newChatPane(m *mainScreen) *chatPane {
	c := &chatPane{m: m, drafts: map[string]string{}}
	c.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.title.Truncation = fyne.TextTruncateEllipsis
	c.subtitle = widget.NewLabel("")
	c.subtitle.Importance = widget.LowImportance
	c.subtitle.SizeName = theme.SizeNameCaptionText
	c.banner = widgets.NewBanner()
	c.history = newHistoryView(m)

	c.composer = widgets.NewComposerEntry()
	c.composer.SetMinRowsVisible(2)
	c.composer.OnSend = c.send
	c.sendBtn = widget.NewButtonWithIcon("", theme.MailSendIcon(), c.composer.Send)
	c.sendBtn.Importance = widget.HighImportance
	c.sendError = widget.NewLabel("")
	c.sendError.Wrapping = fyne.TextWrapWord
	c.sendError.Importance = widget.DangerImportance
	c.sendError.Hide()

	header := container.NewVBox(container.New(&tightRows{}, c.title, c.subtitle), widget.NewSeparator())
	composerRow := container.NewBorder(nil, nil, nil, container.NewVBox(c.sendBtn), c.composer)
	c.footer = container.NewVBox(widget.NewSeparator(), c.sendError, composerRow)
	c.chat = container.NewBorder(header, c.footer, nil, nil, c.history.content)
	c.chat.Hide()

	hint := widget.NewLabelWithStyle("Select a chat to start messaging", fyne.TextAlignCenter, fyne.TextStyle{})
	hint.Importance = widget.LowImportance
	c.placeholder = container.NewCenter(hint)

	c.layoutRoot = container.NewBorder(c.banner, nil, nil, nil, container.NewStack(c.placeholder, c.chat))
	c.content = c.layoutRoot
	return c
}

// setBanner shows the connection state (or hides the banner) and lays the pane out
// again, since the banner's height changes with its visibility.
func (c *chatPane) setBanner(text string, kind widgets.BannerKind) {
	wasVisible := c.banner.Visible()
	c.banner.Set(text, kind)
	if wasVisible != c.banner.Visible() {
		c.layoutRoot.Refresh()
	}
}

// showSendError shows why an action failed ("" hides it) above the composer.
func (c *chatPane) showSendError(text string) {
	if text == "" {
		if c.sendError.Visible() {
			c.sendError.Hide()
			c.footer.Refresh()
		}
		return
	}
	c.sendError.SetText(text)
	c.sendError.Show()
	c.footer.Refresh()
}

// open switches the pane to d, keeping the unsent text of the dialog it leaves.
func (c *chatPane) open(d cache.Dialog) {
	if c.dialog.ID != "" {
		c.drafts[c.dialog.ID] = c.composer.Text
	}
	c.setDialog(d)
	c.composer.SetText(c.drafts[d.ID])
	delete(c.drafts, d.ID)
	c.showSendError("")
	c.placeholder.Hide()
	c.chat.Show()
	c.history.open(d.ID, d.Type != dialogPrivate)
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.composer); cv != nil {
		cv.Focus(c.composer)
	}
}

// setDialog refreshes the header for d (the same dialog after a change, or a new one).
func (c *chatPane) setDialog(d cache.Dialog) {
	c.dialog = d
	c.title.SetText(dialogTitle(d, c.m.me, c.m.users))
	c.subtitle.SetText(dialogSubtitle(d, c.m.me, c.m.users))
	c.history.setGroup(d.Type != dialogPrivate)
}

// send hands text to the engine and clears the composer once the message is stored
// (the engine stores it as pending first, so offline sends succeed too). On error the
// text stays where it was typed.
func (c *chatPane) send(text string) {
	if c.sending || c.dialog.ID == "" {
		return
	}
	dialogID := c.dialog.ID
	c.sending = true
	c.sendBtn.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, loadTimeout)
		_, err := c.m.engine.Send(ctx, dialogID, text)
		cancel()
		runOnUI(func() { c.sent(dialogID, text, err) })
	}()
}

func (c *chatPane) sent(dialogID, text string, err error) {
	c.sending = false
	c.sendBtn.Enable()
	if err != nil {
		c.m.log.Warn("sending failed", "dialog", dialogID, "err", err)
		if c.dialog.ID == dialogID {
			c.showSendError(sendErrorText(err))
		}
		return
	}
	c.showSendError("")
	// Clear only what was sent: the user may have typed on or switched dialogs meanwhile.
	if c.dialog.ID == dialogID {
		if c.composer.Text == text {
			c.composer.SetText("")
		}
		c.history.followBottom()
	} else if c.drafts[dialogID] == text {
		delete(c.drafts, dialogID)
	}
}

// retry asks the engine to send a failed message again.
func (c *chatPane) retry(id string) {
	go func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, loadTimeout)
		err := c.m.engine.RetryFailed(ctx, id)
		cancel()
		if err != nil {
			c.m.log.Warn("retry failed", "message", id, "err", err)
			runOnUI(func() { c.showSendError("Could not retry the message: " + err.Error()) })
		}
	}()
}

// tightRows stacks a title and subtitle without the theme's gap between them.
type tightRows struct{}

func (tightRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for i, o := range objs {
		if i > 0 {
			y -= theme.InnerPadding() // the labels' own padding already separates them
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

func (tightRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width = fyne.Max(s.Width, m.Width)
		s.Height += m.Height
		if i > 0 {
			s.Height -= theme.InnerPadding()
		}
	}
	return s
}
