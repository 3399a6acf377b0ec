package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// BubbleQuote is the message a reply answers, drawn at the top of the reply's bubble: a
// tap calls the bubble's OnQuote with ID.
type BubbleQuote struct {
	ID     string
	Sender string
	Text   string // one line; longer text is cut with an ellipsis
}

// QuoteBlock draws a quote: an accent bar, the sender's name and one line of text on a
// tinted background. Bubbles draw replies with it; the composer's reply chip too.
type QuoteBlock struct {
	widget.BaseWidget
	bar, bg      *canvas.Rectangle
	sender, text *canvas.Text
	full         string // the text before cutting it to the width
	// OnTapped runs when the block is tapped.
	OnTapped func()
}

var (
	_ fyne.Tappable      = (*QuoteBlock)(nil)
	_ desktop.Cursorable = (*QuoteBlock)(nil)
)

// NewQuoteBlock makes an empty quote; Set fills it.
func NewQuoteBlock() *QuoteBlock {
	q := &QuoteBlock{
		bar:    canvas.NewRectangle(theme.Color(theme.ColorNamePrimary)),
		bg:     canvas.NewRectangle(theme.Color(theme.ColorNameHover)),
		sender: canvas.NewText("", theme.Color(theme.ColorNamePrimary)),
		text:   canvas.NewText("", theme.Color(theme.ColorNameForeground)),
	}
	q.sender.TextStyle = fyne.TextStyle{Bold: true}
	q.ExtendBaseWidget(q)
	return q
}

// Set shows sender and text.
func (q *QuoteBlock) Set(sender, text string) {
	q.sender.Text = sender
	q.full = text
	q.Refresh()
}

// Tapped runs the block's action (jump to the quoted message).
func (q *QuoteBlock) Tapped(*fyne.PointEvent) {
	if q.OnTapped != nil {
		q.OnTapped()
	}
}

// Cursor shows a hand: the quote is a link to its message.
func (q *QuoteBlock) Cursor() desktop.Cursor { return desktop.PointerCursor }

// Text is the quoted text (before it is cut to the width).
func (q *QuoteBlock) Text() string { return q.full }

// Sender is the quoted sender's name.
func (q *QuoteBlock) Sender() string { return q.sender.Text }

// naturalWidth is the width that shows the whole quote on one line.
func (q *QuoteBlock) naturalWidth() float32 {
	th := q.Theme()
	caption, text := th.Size(theme.SizeNameCaptionText), th.Size(theme.SizeNameText)
	w := fyne.Max(fyne.MeasureText(q.sender.Text, caption, q.sender.TextStyle).Width,
		fyne.MeasureText(q.full, text, fyne.TextStyle{}).Width)
	return w + q.inset() + th.Size(theme.SizeNameInnerPadding)
}

// height is the block's height (two lines and padding).
func (q *QuoteBlock) height() float32 {
	th := q.Theme()
	pad := th.Size(theme.SizeNamePadding)
	return pad + fyne.MeasureText("Ag", th.Size(theme.SizeNameCaptionText), q.sender.TextStyle).Height +
		fyne.MeasureText("Ag", th.Size(theme.SizeNameText), fyne.TextStyle{}).Height + pad
}

// inset is where the text starts: after the bar and a gap.
func (q *QuoteBlock) inset() float32 {
	return 3 + q.Theme().Size(theme.SizeNamePadding)*2
}

func (q *QuoteBlock) CreateRenderer() fyne.WidgetRenderer { return &quoteRenderer{q: q} }

type quoteRenderer struct{ q *QuoteBlock }

func (r *quoteRenderer) Layout(size fyne.Size) {
	q := r.q
	th := q.Theme()
	pad := th.Size(theme.SizeNamePadding)
	caption, textSize := th.Size(theme.SizeNameCaptionText), th.Size(theme.SizeNameText)
	q.bg.Resize(size)
	q.bg.CornerRadius = pad
	q.bar.Move(fyne.NewPos(0, 0))
	q.bar.Resize(fyne.NewSize(3, size.Height))
	room := size.Width - q.inset() - pad
	q.sender.TextSize = caption
	q.text.TextSize = textSize
	q.text.Text = cutToWidth(q.full, room, textSize, fyne.TextStyle{})
	ss := fyne.MeasureText(q.sender.Text, caption, q.sender.TextStyle)
	q.sender.Move(fyne.NewPos(q.inset(), pad/2))
	q.sender.Resize(ss)
	ts := fyne.MeasureText(q.text.Text, textSize, fyne.TextStyle{})
	q.text.Move(fyne.NewPos(q.inset(), pad/2+ss.Height))
	q.text.Resize(ts)
}

func (r *quoteRenderer) MinSize() fyne.Size { return fyne.NewSize(60, r.q.height()) }

func (r *quoteRenderer) Refresh() {
	q := r.q
	th := q.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	q.bar.FillColor = th.Color(theme.ColorNamePrimary, v)
	q.bg.FillColor = th.Color(theme.ColorNameHover, v)
	q.sender.Color = AvatarColor(q.sender.Text)
	q.text.Color = th.Color(theme.ColorNameForeground, v)
	r.Layout(q.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *quoteRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.q.bg, r.q.bar, r.q.sender, r.q.text}
}

func (r *quoteRenderer) Destroy() {}

// cutToWidth shortens s with an ellipsis until it fits width.
func cutToWidth(s string, width, size float32, style fyne.TextStyle) string {
	if fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	runes := []rune(s)
	lo, hi := 0, len(runes)
	for lo < hi { // the longest prefix that fits with the ellipsis
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(runes[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(runes[:lo]) + "…"
}
