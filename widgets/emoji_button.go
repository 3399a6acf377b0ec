package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// EmojiButton is a large emoji to tap, as in a message menu's quick reactions. Selected
// draws a ring (the user's current reaction; tapping it again removes it).
type EmojiButton struct {
	widget.BaseWidget
	Emoji    string
	Selected bool
	OnTapped func()
	hovered  bool
}

// NewEmojiButton makes a button for emoji.
func NewEmojiButton(emoji string, selected bool, tapped func()) *EmojiButton {
	b := &EmojiButton{Emoji: emoji, Selected: selected, OnTapped: tapped}
	b.ExtendBaseWidget(b)
	return b
}

func (b *EmojiButton) Tapped(*fyne.PointEvent) {
	if b.OnTapped != nil {
		b.OnTapped()
	}
}

func (b *EmojiButton) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (b *EmojiButton) MouseIn(*desktop.MouseEvent)    { b.hovered = true; b.Refresh() }
func (b *EmojiButton) MouseMoved(*desktop.MouseEvent) {}
func (b *EmojiButton) MouseOut()                      { b.hovered = false; b.Refresh() }

func (b *EmojiButton) CreateRenderer() fyne.WidgetRenderer {
	r := &emojiButtonRenderer{b: b, bg: canvas.NewCircle(nil), text: canvas.NewText("", theme.Color(theme.ColorNameForeground))}
	r.Refresh()
	return r
}

type emojiButtonRenderer struct {
	b    *EmojiButton
	bg   *canvas.Circle
	text *canvas.Text
}

func (r *emojiButtonRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	ts := r.text.MinSize()
	r.text.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.text.Resize(ts)
}

func (r *emojiButtonRenderer) MinSize() fyne.Size {
	ts := r.text.MinSize()
	return fyne.NewSquareSize(fyne.Max(ts.Width, ts.Height) + 2*theme.Padding())
}

func (r *emojiButtonRenderer) Refresh() {
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.text.Text = r.b.Emoji
	r.text.TextSize = th.Size(theme.SizeNameText) * 1.6
	r.text.Color = th.Color(theme.ColorNameForeground, v)
	switch {
	case r.b.Selected:
		r.bg.FillColor = mix(th.Color(theme.ColorNamePrimary, v), th.Color(theme.ColorNameBackground, v), 0.45)
		r.bg.StrokeColor = th.Color(theme.ColorNamePrimary, v)
		r.bg.StrokeWidth = 1.5
	case r.b.hovered:
		r.bg.FillColor = th.Color(theme.ColorNameHover, v)
		r.bg.StrokeWidth = 0
	default:
		r.bg.FillColor = nil
		r.bg.StrokeWidth = 0
	}
	r.Layout(r.b.Size())
	r.bg.Refresh()
	r.text.Refresh()
}

func (r *emojiButtonRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.text} }
func (r *emojiButtonRenderer) Destroy()                     {}
