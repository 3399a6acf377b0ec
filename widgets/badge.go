package widgets

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Badge shows an unread count as a pill; it hides itself at zero.
type Badge struct {
	widget.BaseWidget
	count int
	muted bool // a muted dialog's badge is grey, so it draws less attention
}

// NewBadge makes a badge for count.
func NewBadge(count int) *Badge {
	b := &Badge{count: count}
	b.ExtendBaseWidget(b)
	if count <= 0 {
		b.Hide()
	}
	return b
}

// SetCount updates the number; zero or less hides the badge.
func (b *Badge) SetCount(count int, muted bool) {
	b.count, b.muted = count, muted
	if count <= 0 {
		b.Hide()
		return
	}
	b.Show()
	b.Refresh()
}

// Text returns what the badge shows ("" when hidden).
func (b *Badge) Text() string { return BadgeText(b.count) }

// BadgeText caps large counts so the pill stays small.
func BadgeText(count int) string {
	switch {
	case count <= 0:
		return ""
	case count > 999:
		return "999+"
	default:
		return strconv.Itoa(count)
	}
}

func (b *Badge) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	text := canvas.NewText("", theme.Color(theme.ColorNameForegroundOnPrimary))
	text.TextStyle = fyne.TextStyle{Bold: true}
	text.Alignment = fyne.TextAlignCenter
	r := &badgeRenderer{b: b, bg: bg, text: text}
	r.Refresh()
	return r
}

type badgeRenderer struct {
	b    *Badge
	bg   *canvas.Rectangle
	text *canvas.Text
}

func (r *badgeRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bg.CornerRadius = size.Height / 2
	ts := r.text.MinSize()
	r.text.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.text.Resize(ts)
}

func (r *badgeRenderer) MinSize() fyne.Size {
	ts := r.text.MinSize()
	h := ts.Height + 2
	return fyne.NewSize(fyne.Max(h, ts.Width+h*0.6), h)
}

func (r *badgeRenderer) Refresh() {
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.text.Text = BadgeText(r.b.count)
	r.text.TextSize = th.Size(theme.SizeNameCaptionText)
	if r.b.muted {
		r.bg.FillColor = th.Color(theme.ColorNamePlaceHolder, v)
		r.text.Color = th.Color(theme.ColorNameBackground, v)
	} else {
		r.bg.FillColor = th.Color(theme.ColorNamePrimary, v)
		r.text.Color = th.Color(theme.ColorNameForegroundOnPrimary, v)
	}
	r.Layout(r.b.Size())
	r.bg.Refresh()
	r.text.Refresh()
}

func (r *badgeRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.text} }

func (r *badgeRenderer) Destroy() {}
