package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// chatHeader is the top of the open chat: avatar, name, presence (private chats) or the
// member count (groups, with how many are online), and the button to the dialog's info
// panel.
type chatHeader struct {
	c        *chatPane
	content  fyne.CanvasObject
	avatar   *widgets.Avatar
	title    *widget.Label
	subtitle *widget.Label
	info     *widget.Button
	// online is how many occupants of the open group (onlineOf) are online; -1 until
	// the room answers.
	online   int
	onlineOf string
	block    blockState // the open private chat's peer blocked? (header_blocked.go)
	blockGen uint64     // the newest block read started (UI goroutine)
	now      func() time.Time
}

func newChatHeader(c *chatPane) *chatHeader {
	h := &chatHeader{c: c, now: time.Now}
	h.avatar = widgets.NewAvatar("", 36)
	h.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.title.Truncation = fyne.TextTruncateEllipsis
	h.subtitle = widget.NewLabel("")
	h.subtitle.Importance = widget.LowImportance
	h.subtitle.SizeName = theme.SizeNameCaptionText
	h.info = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() { c.m.showDialogInfo(c.dialog.ID) })
	h.info.Importance = widget.LowImportance
	text := container.New(&tightRows{}, h.title, h.subtitle)
	row := container.NewBorder(nil, nil, container.NewCenter(h.avatar), container.NewCenter(h.info), text)
	h.content = container.NewVBox(container.NewPadded(row), widget.NewSeparator())
	return h
}

// set shows d's name and its current subtitle.
func (h *chatHeader) set(d cache.Dialog) {
	m := h.c.m
	name := dialogTitle(d, m.me, m.users)
	h.title.SetText(name)
	h.avatar.SetName(name)
	online := -1
	if d.ID == h.onlineOf {
		online = h.online
	}
	sub := withOnline(headerSubtitle(d, m.me, m.users, h.now(), time.Local), online)
	if blocked, ok := blockedSubtitle(h.block, d, m.me); ok {
		sub = blocked
	}
	h.subtitle.SetText(sub)
}

// withOnline adds "N online" to a group's subtitle when the count is known.
func withOnline(subtitle string, online int) string {
	if online < 0 {
		return subtitle
	}
	if subtitle == "" {
		return lang.X("header.online", "{{.Count}} online", msgData{"Count": online})
	}
	return lang.X("header.members_online", "{{.Members}} · {{.Count}} online", msgData{"Members": subtitle, "Count": online})
}

// countOnline asks the group's room how many occupants are online and shows it while d
// stays open. Offline the subtitle keeps the member count alone.
func (h *chatHeader) countOnline(d cache.Dialog) {
	m := h.c.m
	h.onlineOf, h.online = d.ID, -1
	if d.Type != dialogGroup {
		return
	}
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		defer cancel()
		ids, err := m.engine.OnlineInDialog(ctx, d.ID)
		if err != nil {
			if m.ctx.Err() == nil {
				m.log.Info("online users unavailable", "dialog", d.ID, "err", err)
			}
			return
		}
		runOnUI(func() {
			if h.onlineOf == d.ID && h.c.dialog.ID == d.ID {
				h.online = len(ids)
				h.set(h.c.dialog)
			}
		})
	})
}

// headerSubtitle is the presence of a private chat's peer (falling back to their login
// until the first last-activity answer), or the group's member count.
func headerSubtitle(d cache.Dialog, me int64, users map[int64]cache.User, now time.Time, loc *time.Location) string {
	if d.Type == dialogPrivate {
		if u, ok := users[peerOf(d, me)]; ok {
			if s := lastSeenText(u, now, loc); s != "" {
				return s
			}
		}
	}
	if d.Type == dialogPublic && len(d.OccupantIDs) == 0 && d.OccupantsCount > 0 {
		return memberCount(d.OccupantsCount)
	}
	return dialogSubtitle(d, me, users)
}

// watch moves the last-activity subscription from the peer of prev to the peer of next
// (private chats only), so "online" / "last seen" stays current while a chat is open; a
// group newly opened gets its online count.
func (h *chatHeader) watch(prev, next cache.Dialog) {
	m := h.c.m
	if next.ID != prev.ID {
		h.countOnline(next) // groups: "N online", refreshed each time the chat opens
	}
	var old, peer int64
	if prev.Type == dialogPrivate {
		old = peerOf(prev, m.me)
	}
	if next.Type == dialogPrivate {
		peer = peerOf(next, m.me)
	}
	if old == peer {
		return
	}
	if old != 0 {
		m.engine.UnwatchLastActivity(old)
	}
	if peer != 0 {
		m.bg.Go(func() {
			ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
			defer cancel()
			// Offline or privacy-blocked: the subtitle keeps the last known value.
			if err := m.engine.WatchLastActivity(ctx, peer); err != nil && m.ctx.Err() == nil {
				m.log.Info("last activity unavailable", "user", peer, "err", err)
			}
		})
	}
}

// tightRows stacks a title and subtitle without the theme's gap between them.
type tightRows struct{}

func (tightRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	first := true
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		if !first {
			y -= theme.InnerPadding() // the labels' own padding already separates them
		}
		first = false
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

func (tightRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	first := true
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = fyne.Max(s.Width, m.Width)
		s.Height += m.Height
		if !first {
			s.Height -= theme.InnerPadding()
		}
		first = false
	}
	return s
}
