package widgets

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Reaction is one emoji under a message: how many gave it, and whether the user did.
type Reaction struct {
	Emoji string
	Count int
	Mine  bool
}

// ReactionBar is the row of reaction chips under a bubble ("👍 2", "❤️ 1"). The user's
// own reactions are highlighted; tapping a chip calls OnToggle with its emoji, which the
// caller turns into add-or-remove.
type ReactionBar struct {
	widget.BaseWidget
	reactions []Reaction
	chips     []*reactionChip

	// OnToggle is called with the emoji of the tapped chip.
	OnToggle func(emoji string)
}

// NewReactionBar makes a bar showing reactions (in the given order).
func NewReactionBar(reactions []Reaction) *ReactionBar {
	b := &ReactionBar{}
	b.ExtendBaseWidget(b)
	b.SetReactions(reactions)
	return b
}

// SetReactions replaces the chips. Chips are reused, so a recycled list row stays cheap.
func (b *ReactionBar) SetReactions(reactions []Reaction) {
	b.reactions = append(b.reactions[:0], reactions...)
	for len(b.chips) < len(reactions) {
		c := &reactionChip{bar: b}
		c.ExtendBaseWidget(c)
		b.chips = append(b.chips, c)
	}
	for i, r := range reactions {
		b.chips[i].r = r
		b.chips[i].Refresh()
	}
	b.Refresh()
}

// Reactions returns what the bar shows.
func (b *ReactionBar) Reactions() []Reaction { return b.reactions }

// Toggle acts as a tap on the chip of emoji (for keyboard users and tests).
func (b *ReactionBar) Toggle(emoji string) {
	if b.OnToggle != nil {
		b.OnToggle(emoji)
	}
}

// chipGap is the space between two chips.
func chipGap() float32 { return theme.Padding() }

func (b *ReactionBar) CreateRenderer() fyne.WidgetRenderer { return &reactionBarRenderer{b: b} }

type reactionBarRenderer struct{ b *ReactionBar }

func (r *reactionBarRenderer) shown() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(r.b.reactions))
	for _, c := range r.b.chips[:len(r.b.reactions)] {
		objs = append(objs, c)
	}
	return objs
}

func (r *reactionBarRenderer) Layout(size fyne.Size) {
	x := float32(0)
	for _, c := range r.b.chips[:len(r.b.reactions)] {
		s := c.MinSize()
		c.Move(fyne.NewPos(x, 0))
		c.Resize(fyne.NewSize(s.Width, size.Height))
		x += s.Width + chipGap()
	}
}

func (r *reactionBarRenderer) MinSize() fyne.Size {
	var s fyne.Size
	for i, c := range r.b.chips[:len(r.b.reactions)] {
		m := c.MinSize()
		if i > 0 {
			s.Width += chipGap()
		}
		s.Width += m.Width
		s.Height = fyne.Max(s.Height, m.Height)
	}
	return s
}

func (r *reactionBarRenderer) Refresh() {
	r.Layout(r.b.Size())
	for _, c := range r.b.chips[:len(r.b.reactions)] {
		c.Refresh()
	}
}

func (r *reactionBarRenderer) Objects() []fyne.CanvasObject { return r.shown() }
func (r *reactionBarRenderer) Destroy()                     {}

// reactionChip is one pill: emoji and count.
type reactionChip struct {
	widget.BaseWidget
	bar *ReactionBar
	r   Reaction
}

func (c *reactionChip) Tapped(*fyne.PointEvent) { c.bar.Toggle(c.r.Emoji) }

// Cursor shows a hand: the chip is a button.
func (c *reactionChip) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (c *reactionChip) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameButton))
	emoji := canvas.NewText("", theme.Color(theme.ColorNameForeground))
	count := canvas.NewText("", theme.Color(theme.ColorNameForeground))
	r := &chipRenderer{c: c, bg: bg, emoji: emoji, count: count}
	r.Refresh()
	return r
}

// emojiScale enlarges emoji over the text around them: the bundled emoji font draws
// small glyphs at text size.
const emojiScale = 1.3

type chipRenderer struct {
	c            *reactionChip
	bg           *canvas.Rectangle
	emoji, count *canvas.Text
}

func (r *chipRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bg.CornerRadius = size.Height / 2
	es, cs := r.emoji.MinSize(), r.count.MinSize()
	pad := theme.Padding()
	x := (size.Width - es.Width - pad/2 - cs.Width) / 2
	r.emoji.Move(fyne.NewPos(x, (size.Height-es.Height)/2))
	r.emoji.Resize(es)
	r.count.Move(fyne.NewPos(x+es.Width+pad/2, (size.Height-cs.Height)/2))
	r.count.Resize(cs)
}

func (r *chipRenderer) MinSize() fyne.Size {
	es, cs := r.emoji.MinSize(), r.count.MinSize()
	pad := theme.Padding()
	return fyne.NewSize(es.Width+pad/2+cs.Width+3*pad, fyne.Max(es.Height, cs.Height)+pad/2)
}

// Text is what the chip shows ("👍 2").
func (r *chipRenderer) Text() string { return r.emoji.Text + " " + r.count.Text }

func (r *chipRenderer) Refresh() {
	th := r.c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.emoji.Text = r.c.r.Emoji
	r.count.Text = strconv.Itoa(r.c.r.Count)
	size := th.Size(theme.SizeNameText)
	r.emoji.TextSize = size * emojiScale
	r.count.TextSize = size
	r.emoji.Color = th.Color(theme.ColorNameForeground, v)
	r.count.Color = th.Color(theme.ColorNameForeground, v)
	if r.c.r.Mine {
		r.bg.FillColor = mix(th.Color(theme.ColorNamePrimary, v), th.Color(theme.ColorNameBackground, v), 0.45)
		r.bg.StrokeColor = th.Color(theme.ColorNamePrimary, v)
		r.bg.StrokeWidth = 1
	} else {
		r.bg.FillColor = th.Color(theme.ColorNameButton, v)
		r.bg.StrokeWidth = 0
	}
	r.Layout(r.c.Size())
	r.bg.Refresh()
	r.emoji.Refresh()
	r.count.Refresh()
}

func (r *chipRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.emoji, r.count}
}
func (r *chipRenderer) Destroy() {}
