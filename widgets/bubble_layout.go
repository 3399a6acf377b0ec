package widgets

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Bubble proportions: a bubble never takes the whole pane (so it reads as "left" or
// "right"), and never grows past a comfortable reading width on wide windows.
const (
	bubbleMaxFraction float32 = 0.78
	bubbleMaxWidth    float32 = 640
	bubbleMinWidth    float32 = 72
)

// bubbleGeometry is where every part of a bubble goes at one row width. Layout and
// HeightFor share it, so the list's item height always matches what is drawn.
type bubbleGeometry struct {
	height                  float32
	hl                      fyne.Position // the Highlight band: the bubble and its reactions
	hlSize                  fyne.Size
	dayBg, day              fyne.Position
	dayBgSize, daySize      fyne.Size
	box, sender, body, time fyne.Position
	boxSize, bodySize       fyne.Size
	senderSize, timeSize    fyne.Size
	tick1, tick2, retry     fyne.Position
	iconSize                fyne.Size
	retrySize               fyne.Size
	atts                    []fyne.Position
	attSizes                []fyne.Size
	react, more             fyne.Position
	reactSize, moreSize     fyne.Size
	fwd, quote              fyne.Position
	fwdSize, quoteSize      fyne.Size
}

func (b *MessageBubble) geometry(width float32) bubbleGeometry {
	th := b.Theme()
	pad := th.Size(theme.SizeNamePadding)
	inner := th.Size(theme.SizeNameInnerPadding)
	textSize := th.Size(theme.SizeNameText)
	caption := th.Size(theme.SizeNameCaptionText)
	var g bubbleGeometry

	y := pad * 1.5
	if b.data.Continues {
		y = pad / 2
	}
	if b.day.Visible() {
		ds := fyne.MeasureText(b.day.Text, caption, b.day.TextStyle)
		g.dayBgSize = fyne.NewSize(ds.Width+4*inner/2, ds.Height+pad)
		g.dayBg = fyne.NewPos((width-g.dayBgSize.Width)/2, y+pad)
		g.daySize = ds
		g.day = fyne.NewPos((width-ds.Width)/2, g.dayBg.Y+pad/2)
		y = g.dayBg.Y + g.dayBgSize.Height + pad*2
	}

	g.iconSize = fyne.NewSquareSize(caption + 2)
	g.timeSize = fyne.MeasureText(b.time.Text, caption, b.time.TextStyle)
	footerW := g.timeSize.Width
	if b.tick1.Visible() {
		footerW += pad + g.iconSize.Width
	}
	if b.tick2.Visible() {
		footerW += g.iconSize.Width * 0.45
	}
	if b.retry.Visible() {
		g.retrySize = b.retry.MinSize()
	}

	g.moreSize = b.more.MinSize()
	maxW := fyne.Min(width*bubbleMaxFraction, bubbleMaxWidth)
	maxW = fyne.Min(maxW, width-2*pad-fyne.Max(g.retrySize.Width, g.moreSize.Width+pad))
	maxW = fyne.Max(maxW, bubbleMinWidth)
	var natural float32
	if b.body.Visible() {
		natural = naturalTextWidth(b.bodyText, textSize, b.bodyStyle) + 2*inner
	}
	atts := b.AttachmentPreviews()
	for _, p := range atts {
		s := p.SizeFor(maxW - 2*pad)
		g.attSizes = append(g.attSizes, s)
		natural = fyne.Max(natural, s.Width+2*pad)
	}
	if b.sender.Visible() {
		g.senderSize = fyne.MeasureText(b.sender.Text, caption, b.sender.TextStyle)
		natural = fyne.Max(natural, g.senderSize.Width+2*inner)
	}
	natural = fyne.Max(natural, footerW+2*inner)
	natural = fyne.Max(natural, b.extrasWidth(inner))
	bw := fyne.Max(fyne.Min(natural, maxW), bubbleMinWidth)

	// The body label wraps to its width; its MinSize then reports the wrapped height.
	if b.body.Visible() {
		if b.body.Size().Width != bw {
			b.body.Resize(fyne.NewSize(bw, b.body.Size().Height)) // wraps the new text too
		} else if b.bodyDirty {
			b.body.Refresh()
		}
		b.bodyDirty = false
		g.bodySize = fyne.NewSize(bw, b.body.MinSize().Height)
	}

	x := pad
	if b.data.Mine {
		x = width - pad - bw
	}
	g.box = fyne.NewPos(x, y)
	cy := y
	if b.sender.Visible() {
		g.sender = fyne.NewPos(x+inner, cy+inner/2)
		cy += inner/2 + g.senderSize.Height - inner/2
	}
	cy = b.layoutExtras(&g, x, cy, bw)
	if len(atts) > 0 {
		cy += pad
		for i, s := range g.attSizes {
			// A thumbnail narrower than the bubble sits centred in it.
			g.atts = append(g.atts, fyne.NewPos(x+(bw-s.Width)/2, cy))
			g.attSizes[i] = s
			cy += s.Height + pad
		}
	}
	g.body = fyne.NewPos(x, cy)
	if b.body.Visible() {
		cy += g.bodySize.Height - inner/2 // the label's bottom padding doubles as the footer's gap
	} else {
		cy += pad / 2
	}
	footerH := fyne.Max(g.timeSize.Height, g.iconSize.Height)
	right := x + bw - inner
	if b.tick1.Visible() {
		g.tick1 = fyne.NewPos(right-g.iconSize.Width, cy+(footerH-g.iconSize.Height)/2)
		right -= g.iconSize.Width + pad/2
		if b.tick2.Visible() {
			g.tick2 = g.tick1
			g.tick1.X -= g.iconSize.Width * 0.45
			right -= g.iconSize.Width * 0.45
		}
	}
	g.time = fyne.NewPos(right-g.timeSize.Width, cy+(footerH-g.timeSize.Height)/2)
	cy += footerH + inner/2
	g.boxSize = fyne.NewSize(bw, cy-y)
	if b.retry.Visible() {
		g.retry = fyne.NewPos(x-pad-g.retrySize.Width, y+(g.boxSize.Height-g.retrySize.Height)/2)
	}
	// The "⋯" button sits beside the bubble, on the side facing the middle of the pane.
	moreY := y + (g.boxSize.Height-g.moreSize.Height)/2
	if b.data.Mine {
		g.more = fyne.NewPos(x-pad-g.moreSize.Width, moreY)
		if b.retry.Visible() {
			g.more.Y = y - g.moreSize.Height/2
		}
	} else {
		g.more = fyne.NewPos(x+bw+pad, moreY)
	}
	if b.react.Visible() {
		g.reactSize = b.react.MinSize()
		cy += pad / 2
		rx := x + inner/2
		if b.data.Mine {
			rx = x + bw - inner/2 - g.reactSize.Width
		}
		g.react = fyne.NewPos(fyne.Max(rx, pad), cy)
		cy += g.reactSize.Height
	}
	g.height = cy + pad/2
	g.hl = fyne.NewPos(0, g.box.Y-pad/2)
	g.hlSize = fyne.NewSize(width, g.height-g.hl.Y)
	return g
}

// place moves and sizes the bubble's objects to this geometry.
func (g bubbleGeometry) place(b *MessageBubble) {
	put := func(o fyne.CanvasObject, p fyne.Position, s fyne.Size) {
		o.Move(p)
		o.Resize(s)
	}
	put(b.hl, g.hl, g.hlSize)
	put(b.dayBg, g.dayBg, g.dayBgSize)
	b.dayBg.CornerRadius = g.dayBgSize.Height / 2
	put(b.day, g.day, g.daySize)
	put(b.bg, g.box, g.boxSize)
	b.bg.CornerRadius = theme.Padding() * 3
	put(b.sender, g.sender, g.senderSize)
	put(b.body, g.body, g.bodySize)
	put(b.time, g.time, g.timeSize)
	put(b.tick1, g.tick1, g.iconSize)
	put(b.tick2, g.tick2, g.iconSize)
	put(b.retry, g.retry, g.retrySize)
	put(b.react, g.react, g.reactSize)
	put(b.more, g.more, g.moreSize)
	g.placeExtras(b)
	for i, p := range b.AttachmentPreviews() {
		if i < len(g.atts) {
			put(p, g.atts[i], g.attSizes[i])
		}
	}
}

// naturalTextWidth is the width of the longest line of s when nothing wraps.
func naturalTextWidth(s string, size float32, style fyne.TextStyle) float32 {
	var w float32
	for _, line := range strings.Split(s, "\n") {
		w = fyne.Max(w, fyne.MeasureText(line, size, style).Width)
	}
	return w
}

// mix blends a over b with weight wa (0..1), for a tint that follows the theme variant.
func mix(a, b color.Color, wa float32) color.Color {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	f := func(x, y uint32) uint8 {
		return uint8((float32(x)*wa + float32(y)*(1-wa)) / 257)
	}
	return color.NRGBA{R: f(ar, br), G: f(ag, bg), B: f(ab, bb), A: 0xFF}
}
