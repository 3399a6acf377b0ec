package app

import (
	"context"
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

// chatPane is the right side: header, connection banner, history, typing line, notices
// and composer. Its fields belong to the UI goroutine.
type chatPane struct {
	m       *mainScreen
	content fyne.CanvasObject

	dialog  cache.Dialog  // the open dialog ("" ID = none)
	menu    *widget.PopUp // the open message menu, if any (message_menu.go)
	header  *chatHeader
	banner  *widgets.Banner
	history *historyView
	typing  *widget.Label
	notice  *widget.Label
	noticeN int // bumped per notice, so an older timer does not hide a newer one

	composer  *widgets.ComposerEntry
	sendBtn   *widget.Button
	attachBtn *widget.Button
	sendError *widget.Label
	sending   bool
	drafts    map[string]string        // unsent text of dialogs that are not open
	replies   map[string]cache.Message // what the drafts of dialogs not open answer

	editing   cache.Message // the message being edited ("" ID = none)
	editDraft string        // what the composer held before editing began
	editChip  *fyne.Container
	editLabel *widget.Label
	reply     *replyBar // answering a message (reply.go)
	pinned    *pinnedBar
	// selectText is the open "Select text" dialog (message_menu_extras.go), for Esc.
	selectText dialog.Dialog

	uploads *uploadTracker
	thumbs  *thumbnailLoader
	media   *chatMedia // send sheet, image viewer, pasted pictures (media.go)

	chat        *fyne.Container
	footer      *fyne.Container
	composerRow *fyne.Container // hidden where the user may not post (canPost)
	layoutRoot  *fyne.Container
	placeholder fyne.CanvasObject
}

func newChatPane(m *mainScreen) *chatPane {
	c := &chatPane{m: m, drafts: map[string]string{}, replies: map[string]cache.Message{}}
	c.uploads = newUploadTracker()
	c.thumbs = newThumbnailLoader(m)
	c.header = newChatHeader(c)
	c.header.tickHeader()
	c.banner = widgets.NewBanner()
	c.history = newHistoryView(m)

	c.typing = widget.NewLabel("") // grey, never italic (widgets/text.go)
	c.typing.Importance = widget.LowImportance
	c.typing.Truncation = fyne.TextTruncateEllipsis
	c.typing.SetText(noTyping)
	c.notice = widget.NewLabel("")
	c.notice.Wrapping = fyne.TextWrapWord
	c.notice.Importance = widget.WarningImportance
	c.notice.Hide()

	c.composer = widgets.NewComposerEntry()
	c.composer.SetMinRowsVisible(2)
	c.composer.OnSend = c.send
	c.composer.OnKey = m.composerKey
	c.composer.OnShortcut = m.runShortcut
	c.composer.OnChanged = c.typed
	c.sendBtn = widget.NewButtonWithIcon("", theme.MailSendIcon(), c.composer.Send)
	c.sendBtn.Importance = widget.HighImportance
	c.attachBtn = widget.NewButtonWithIcon("", theme.MailAttachmentIcon(), c.chooseFile)
	c.attachBtn.Importance = widget.LowImportance
	c.sendError = widget.NewLabel("")
	c.sendError.Wrapping = fyne.TextWrapWord
	c.sendError.Importance = widget.DangerImportance
	c.sendError.Hide()

	c.editLabel = widget.NewLabel("")
	c.editLabel.Importance = widget.LowImportance
	c.editLabel.Truncation = fyne.TextTruncateEllipsis
	cancelEdit := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), c.cancelEdit)
	cancelEdit.Importance = widget.LowImportance
	c.editChip = container.NewBorder(nil, nil, widget.NewIcon(theme.DocumentCreateIcon()), cancelEdit, c.editLabel)
	c.editChip.Hide()

	c.reply = newReplyBar(c)
	c.composerRow = container.NewBorder(nil, nil, container.NewVBox(c.attachBtn), container.NewVBox(c.sendBtn), c.composer)
	c.footer = container.NewVBox(widget.NewSeparator(), c.typing, c.notice, c.sendError, c.editChip, c.reply.box, c.composerRow)
	c.pinned = newPinnedBar(c)
	c.chat = container.NewBorder(container.NewVBox(c.header.content, c.pinned.box), c.footer, nil, nil, c.history.content)
	c.chat.Hide()

	hint := widget.NewLabelWithStyle(lang.L("Select a chat to start messaging"), fyne.TextAlignCenter, fyne.TextStyle{})
	hint.Importance = widget.LowImportance
	c.placeholder = container.NewCenter(hint)

	c.media = newChatMedia(c)
	c.layoutRoot = container.NewBorder(c.banner, nil, nil, nil, container.NewStack(c.placeholder, c.chat))
	c.content = c.layoutRoot
	return c
}

// setBanner shows the connection state (or hides the banner) with its action, and lays
// the pane out again, since the banner's height changes with its visibility.
func (c *chatPane) setBanner(text string, kind widgets.BannerKind) {
	wasVisible := c.banner.Visible()
	c.banner.Set(text, kind)
	if wasVisible != c.banner.Visible() {
		c.layoutRoot.Refresh()
	}
}

// showSendError shows why sending failed ("" hides it) above the composer.
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

// noticeTime is how long a notice stays up.
const noticeTime = 8 * time.Second

// showNotice shows a transient line above the composer ("Message to Bob was blocked").
func (c *chatPane) showNotice(text string) {
	c.noticeN++
	n := c.noticeN
	c.notice.SetText(text)
	c.notice.Show()
	c.footer.Refresh()
	c.m.bg.Go(func() {
		if !sleepCtx(c.m.ctx, noticeTime) {
			return
		}
		runOnUI(func() {
			if c.noticeN == n {
				c.notice.Hide()
				c.footer.Refresh()
			}
		})
	})
}

// NoticeText is the notice on screen ("" when none).
func (c *chatPane) NoticeText() string {
	if !c.notice.Visible() {
		return ""
	}
	return c.notice.Text
}

// open switches the pane to d, keeping the unsent text of the dialog it leaves.
func (c *chatPane) open(d cache.Dialog) {
	if c.editing.ID != "" {
		c.cancelEdit()
	}
	if c.reply.active() {
		c.replies[c.dialog.ID] = c.reply.to
	}
	c.reply.cancel()
	if c.dialog.ID != "" {
		c.drafts[c.dialog.ID] = c.composer.Text
		c.saveDraft(c.dialog.ID, c.composer.Text)
		c.m.engine.SetTyping(c.dialog.ID, false)
	}
	prev := c.dialog
	c.media.unflash()
	c.setDialog(d)
	c.header.watch(prev, d)
	c.header.loadBlocked(d)
	text, ok := c.drafts[d.ID]
	if !ok {
		text = c.m.drafts[d.ID] // saved in the cache by an earlier session
	}
	c.composer.OnChanged = nil // restoring a draft is not typing
	c.composer.SetText(text)
	c.composer.OnChanged = c.typed
	delete(c.drafts, d.ID)
	if to, ok := c.replies[d.ID]; ok { // the reply being written when the user left
		delete(c.replies, d.ID)
		c.reply.start(to)
	}
	c.showSendError("")
	c.placeholder.Hide()
	c.chat.Show()
	c.setTyping(c.m.typingIn(d.ID))
	c.history.open(d.ID, d.Type != dialogPrivate)
	// The window's canvas, not CanvasForObject: a pane shown a moment ago is not yet
	// known to the driver, and its composer would go unfocused.
	c.m.ui.win.Canvas().Focus(c.composer)
}

// close shows the placeholder again (the open dialog was left or deleted).
func (c *chatPane) close() {
	if c.dialog.ID == "" {
		return
	}
	c.header.watch(c.dialog, cache.Dialog{})
	c.dialog = cache.Dialog{}
	c.composer.SetText("")
	c.chat.Hide()
	c.placeholder.Show()
	c.history.open("", false)
}

// setDialog refreshes the header for d (the same dialog after a change, or a new one).
func (c *chatPane) setDialog(d cache.Dialog) {
	c.dialog = d
	c.header.set(d)
	c.pinned.set(d)
	c.history.setGroup(d.Type != dialogPrivate)
	// A broadcast dialog reads as a channel: only its owner and admins get a composer.
	if canPost(d, c.m.me) {
		c.composerRow.Show()
	} else {
		c.composerRow.Hide()
	}
}

// setTyping shows who types in the open dialog.
func (c *chatPane) setTyping(ids []int64) {
	text := typingText(ids, c.m.users)
	if text == "" {
		text = noTyping
	}
	// The line keeps its place when nobody types: the history and the composer must not
	// jump under the reader's pointer each time someone starts or stops typing.
	c.typing.SetText(text)
}

// noTyping fills the typing line while nobody types (a blank line of the same height).
const noTyping = " "

// typed tells the engine the user is composing (it debounces and sends paused itself).
func (c *chatPane) typed(text string) {
	if c.dialog.ID != "" && c.editing.ID == "" {
		c.m.engine.SetTyping(c.dialog.ID, text != "")
	}
}

// saveDraft keeps unsent text in the cache, so it survives a restart.
func (c *chatPane) saveDraft(dialogID, text string) {
	c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, loadTimeout)
		defer cancel()
		if err := c.m.db.SetDraft(ctx, dialogID, text); err != nil && c.m.ctx.Err() == nil {
			c.m.log.Warn("saving draft", "dialog", dialogID, "err", err)
		}
	})
}

// send hands text to the engine (or saves an edit) and clears the composer once the
// message is stored (the engine stores it as pending first, so offline sends succeed
// too). On error the text stays where it was typed.
func (c *chatPane) send(text string) {
	if c.sending || c.dialog.ID == "" {
		return
	}
	if c.editing.ID != "" {
		c.saveEdit(text)
		return
	}
	dialogID := c.dialog.ID
	out := csync.Outgoing{Body: text, Custom: c.reply.params()}
	replyTo := c.reply.to.ID
	c.sending = true
	c.sendBtn.Disable()
	c.m.engine.SetTyping(dialogID, false)
	c.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(c.m.ctx, loadTimeout)
		_, err := c.m.engine.SendWith(ctx, dialogID, out)
		cancel()
		runOnUI(func() {
			if err == nil {
				c.reply.sentReply(replyTo)
			}
			c.sent(dialogID, text, err)
		})
	})
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
	c.saveDraft(dialogID, "")
}

// retry asks the engine to send a failed message again.
func (c *chatPane) retry(id string) {
	c.engineCall(lang.L("Could not retry the message"), func(ctx context.Context) error {
		return c.m.engine.RetryFailed(ctx, id)
	})
}
