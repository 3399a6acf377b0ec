package widgets

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// The parts of a bubble above its text that come from a message's custom parameters:
// "Forwarded from X" and the quote of the message a reply answers.

func (b *MessageBubble) initExtras() {
	b.fwd = canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	b.quote = NewQuoteBlock()
	b.quote.OnTapped = func() {
		if b.OnQuote != nil && b.data.Quote != nil && b.data.Quote.ID != "" {
			b.OnQuote(b.data.Quote.ID)
		}
	}
	b.objects = append(b.objects, b.fwd, b.quote)
}

func (b *MessageBubble) applyExtras() {
	d := b.data
	th := b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	b.fwd.Text = d.Forwarded
	b.fwd.TextSize = th.Size(theme.SizeNameCaptionText)
	b.fwd.Color = th.Color(theme.ColorNamePlaceHolder, v)
	setVisible(d.Forwarded != "" && !d.Deleted, b.fwd)
	if d.Quote != nil && !d.Deleted {
		b.quote.Set(d.Quote.Sender, d.Quote.Text)
		b.quote.Show()
	} else {
		b.quote.Hide()
	}
}

// extrasWidth is the bubble width the extras would like.
func (b *MessageBubble) extrasWidth(inner float32) float32 {
	var w float32
	if b.fwd.Visible() {
		w = fyne.MeasureText(b.fwd.Text, b.fwd.TextSize, b.fwd.TextStyle).Width + 2*inner
	}
	if b.quote.Visible() {
		w = fyne.Max(w, b.quote.naturalWidth()+2*inner)
	}
	return w
}

// layoutExtras places the extras from cy down inside a bubble at x of width bw and
// returns the y below them.
func (b *MessageBubble) layoutExtras(g *bubbleGeometry, x, cy, bw float32) float32 {
	th := b.Theme()
	pad, inner := th.Size(theme.SizeNamePadding), th.Size(theme.SizeNameInnerPadding)
	if b.fwd.Visible() {
		g.fwdSize = fyne.MeasureText(b.fwd.Text, b.fwd.TextSize, b.fwd.TextStyle)
		g.fwd = fyne.NewPos(x+inner, cy+inner/2)
		cy += inner/2 + g.fwdSize.Height
	}
	if b.quote.Visible() {
		cy += pad
		g.quoteSize = fyne.NewSize(bw-2*pad, b.quote.height())
		g.quote = fyne.NewPos(x+pad, cy)
		cy += g.quoteSize.Height
	}
	return cy
}

func (g bubbleGeometry) placeExtras(b *MessageBubble) {
	b.fwd.Move(g.fwd)
	b.fwd.Resize(g.fwdSize)
	b.quote.Move(g.quote)
	b.quote.Resize(g.quoteSize)
}

// QuoteVisible reports whether the bubble draws a quote (tests).
func (b *MessageBubble) QuoteVisible() bool { return b.quote.Visible() }

// TapQuote taps the quote as a user would (tests).
func (b *MessageBubble) TapQuote() { b.quote.Tapped(&fyne.PointEvent{}) }

// ForwardedText is the "Forwarded from" line shown ("" when none).
func (b *MessageBubble) ForwardedText() string {
	if !b.fwd.Visible() {
		return ""
	}
	return b.fwd.Text
}

// extrasKey is the part of LayoutKey the extras add.
func (d BubbleData) extrasKey() string {
	if d.Quote == nil {
		return fmt.Sprintf("|f%q", d.Forwarded)
	}
	return fmt.Sprintf("|f%q|q%q:%q", d.Forwarded, d.Quote.Sender, d.Quote.Text)
}
