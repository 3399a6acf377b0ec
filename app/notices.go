package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// noticesShown is how many system messages the notices area lists.
const noticesShown = 3

// noticesArea lists the newest system messages ("Alice: dialog/ADDED_TO_DIALOG") under
// the dialogs list, with a button that dismisses them. It hides itself when empty.
type noticesArea struct {
	m       *mainScreen
	content *fyne.Container
	lines   *fyne.Container
	ids     []string
}

func newNoticesArea(m *mainScreen) *noticesArea {
	n := &noticesArea{m: m, lines: container.NewVBox()}
	title := widget.NewLabelWithStyle(lang.L("Notifications"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameCaptionText
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), n.dismiss)
	dismiss.Importance = widget.LowImportance
	n.content = container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), dismiss, title), n.lines)
	n.content.Hide()
	return n
}

// reload reads the system messages off the UI goroutine and shows the newest.
func (n *noticesArea) reload() {
	ctx, cancel := context.WithTimeout(n.m.ctx, loadTimeout)
	defer cancel()
	msgs, err := n.m.db.SystemMessages(ctx, 50)
	if err != nil {
		if n.m.ctx.Err() == nil {
			n.m.log.Warn("loading system messages", "err", err)
		}
		return
	}
	var ids []int64
	for _, s := range msgs {
		ids = append(ids, s.SenderID)
	}
	users, _ := n.m.db.Users(ctx, ids)
	runOnUI(func() { n.show(msgs, users) })
}

func (n *noticesArea) show(msgs []cache.SystemMessage, users map[int64]cache.User) {
	n.ids = n.ids[:0]
	n.lines.RemoveAll()
	for i, s := range msgs {
		n.ids = append(n.ids, s.ID)
		if i >= noticesShown {
			continue
		}
		l := widget.NewLabel(systemNoticeText(s, users))
		l.Truncation = fyne.TextTruncateEllipsis
		l.SizeName = theme.SizeNameCaptionText
		n.lines.Add(l)
	}
	if extra := len(msgs) - noticesShown; extra > 0 {
		more := widget.NewLabel(lang.XN("notices.more", "{{.Count}} more notifications", extra, msgData{"Count": extra}))
		more.Importance = widget.LowImportance
		more.SizeName = theme.SizeNameCaptionText
		n.lines.Add(more)
	}
	if len(msgs) == 0 {
		n.content.Hide()
	} else {
		n.content.Show()
	}
	n.content.Refresh()
}

// dismiss removes the listed system messages from the cache.
func (n *noticesArea) dismiss() {
	ids := append([]string(nil), n.ids...)
	n.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(n.m.ctx, loadTimeout)
		defer cancel()
		if err := n.m.db.DismissSystemMessages(ctx, ids); err != nil && n.m.ctx.Err() == nil {
			n.m.log.Warn("dismissing system messages", "err", err)
		}
	})
}

// Texts returns the lines shown (tests).
func (n *noticesArea) Texts() []string {
	var out []string
	for _, o := range n.lines.Objects {
		out = append(out, o.(*widget.Label).Text)
	}
	return out
}

// systemNoticeText is one line of the notices area: who sent it and what it says.
func systemNoticeText(s cache.SystemMessage, users map[int64]cache.User) string {
	body := strings.Join(strings.Fields(s.Body), " ")
	if body == "" {
		if t, ok := s.Params["notification_type"].(string); ok {
			body = t
		} else {
			body = lang.L("system message")
		}
	}
	return userName(s.SenderID, users) + ": " + body
}
