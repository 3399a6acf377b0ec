package widgets

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The bubble's interactive parts: the actions menu (secondary tap, or the "⋯" button that
// appears on hover), reaction chips and attachment previews.

var (
	_ fyne.SecondaryTappable = (*MessageBubble)(nil)
	_ desktop.Hoverable      = (*MessageBubble)(nil)
)

// TappedSecondary opens the actions menu where the user right-clicked.
func (b *MessageBubble) TappedSecondary(e *fyne.PointEvent) {
	if b.OnMenu != nil && b.data.ID != "" && !b.data.Deleted {
		b.OnMenu(b.data.ID, e.AbsolutePosition)
	}
}

// MouseIn shows the "⋯" button while the pointer is over the row.
func (b *MessageBubble) MouseIn(*desktop.MouseEvent) {
	b.hovered = true
	b.showMore()
}

// MouseMoved is required by desktop.Hoverable.
func (b *MessageBubble) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the "⋯" button.
func (b *MessageBubble) MouseOut() {
	b.hovered = false
	b.showMore()
}

func (b *MessageBubble) showMore() {
	show := b.hovered && b.data.ID != "" && !b.data.Deleted && b.OnMenu != nil
	if show == b.more.Visible() {
		return
	}
	setVisible(show, b.more)
	b.more.Refresh()
}

// MenuVisible reports whether the "⋯" button is showing (tests).
func (b *MessageBubble) MenuVisible() bool { return b.more.Visible() }

// ReactionBar returns the bar of reaction chips under the bubble.
func (b *MessageBubble) ReactionBar() *ReactionBar { return b.react }

// AttachmentPreviews returns the previews shown, in order.
func (b *MessageBubble) AttachmentPreviews() []*AttachmentPreview {
	return b.atts[:b.shownAttachments()]
}

func (b *MessageBubble) shownAttachments() int {
	if b.data.Deleted {
		return 0
	}
	return min(len(b.data.Attachments), len(b.atts))
}

// applyAttachments fills the previews, making more when a message has more attachments
// than any before it in this (recycled) bubble.
func (b *MessageBubble) applyAttachments() {
	for len(b.atts) < len(b.data.Attachments) {
		p := NewAttachmentPreview(AttachmentView{Progress: -1})
		p.OnOpen = func(uid string) {
			if b.OnOpenAttachment != nil {
				b.OnOpenAttachment(b.data.ID, uid)
			}
		}
		p.OnSave = func(uid string) {
			if b.OnSaveAttachment != nil {
				b.OnSaveAttachment(b.data.ID, uid)
			}
		}
		b.atts = append(b.atts, p)
	}
	n := b.shownAttachments()
	for i, p := range b.atts {
		if i < n {
			p.Set(b.data.Attachments[i])
			p.Show()
		} else {
			p.Hide()
		}
	}
}

// moreButton is a small round "⋯" target. It is deliberately not Hoverable, so the
// pointer resting on it still counts as hovering the bubble (which keeps it shown).
type moreButton struct {
	widget.BaseWidget
	onTap func(at fyne.Position)
}

func newMoreButton(onTap func(at fyne.Position)) *moreButton {
	m := &moreButton{onTap: onTap}
	m.ExtendBaseWidget(m)
	return m
}

func (m *moreButton) Tapped(e *fyne.PointEvent) { m.onTap(e.AbsolutePosition) }

func (m *moreButton) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (m *moreButton) MinSize() fyne.Size {
	return fyne.NewSquareSize(theme.IconInlineSize() + theme.Padding()*2)
}

func (m *moreButton) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewCircle(theme.Color(theme.ColorNameButton))
	icon := canvas.NewImageFromResource(theme.NewColoredResource(theme.MoreHorizontalIcon(), theme.ColorNameForeground))
	return &moreRenderer{m: m, bg: bg, icon: icon}
}

type moreRenderer struct {
	m    *moreButton
	bg   *canvas.Circle
	icon *canvas.Image
}

func (r *moreRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	pad := theme.Padding()
	r.icon.Move(fyne.NewPos(pad, pad))
	r.icon.Resize(fyne.NewSize(size.Width-2*pad, size.Height-2*pad))
}

func (r *moreRenderer) MinSize() fyne.Size { return r.m.MinSize() }

func (r *moreRenderer) Refresh() {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bg.FillColor = r.m.Theme().Color(theme.ColorNameButton, v)
	r.bg.Refresh()
	r.icon.Refresh()
}

func (r *moreRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.icon} }
func (r *moreRenderer) Destroy()                     {}

// LayoutKey identifies everything in d that changes the bubble's height, so a list can
// cache heights per row content (BubbleData itself holds slices and is not comparable).
func (d BubbleData) LayoutKey() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s|%s|%t|%s|%q|%s|%t|%t|%d|%t", d.ID, d.DayHeader, d.Mine, d.Sender, d.Body, d.Time,
		d.Edited, d.Deleted, d.Status, d.Continues)
	for _, a := range d.Attachments {
		fmt.Fprintf(&sb, "|a%d:%q:%s:%dx%d:%t:%t:%t", a.Kind, a.Name, a.Size, a.Width, a.Height, a.Image != nil,
			a.Progress >= 0, a.Busy)
		if a.Image != nil && (a.Width <= 0 || a.Height <= 0) {
			b := a.Image.Bounds()
			fmt.Fprintf(&sb, ":%dx%d", b.Dx(), b.Dy())
		}
	}
	for _, r := range d.Reactions {
		fmt.Fprintf(&sb, "|r%s:%d:%t", r.Emoji, r.Count, r.Mine)
	}
	sb.WriteString(d.extrasKey())
	return sb.String()
}
