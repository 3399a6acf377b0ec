package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// MessageStatus is the delivery state a bubble shows for one's own messages.
type MessageStatus int

const (
	StatusNone      MessageStatus = iota // others' messages: no mark
	StatusPending                        // stored locally, not yet accepted by the server: a clock
	StatusSent                           // one tick
	StatusDelivered                      // two ticks
	StatusRead                           // two ticks in the accent colour
	StatusFailed                         // an error mark and a Retry button
)

// String names the status for logs and tests.
func (s MessageStatus) String() string {
	switch s {
	case StatusPending:
		return "pending"
	case StatusSent:
		return "sent"
	case StatusDelivered:
		return "delivered"
	case StatusRead:
		return "read"
	case StatusFailed:
		return "failed"
	default:
		return "none"
	}
}

// BubbleData is one history row, already formatted by the caller.
type BubbleData struct {
	ID        string
	DayHeader string // non-empty: a date separator ("Today", "12 March 2025") is drawn above
	Mine      bool   // own message: right-aligned and accented
	Sender    string // shown above the body (groups, first message of a run); "" = none
	Body      string
	Time      string // "14:05"
	Edited    bool
	Deleted   bool
	Status    MessageStatus
	Error     string // why a failed message failed (carried for the caller; Fyne has no tooltips to show it)
	// Continues is true when the previous row is by the same sender a short while before:
	// the gap above shrinks so a run of messages reads as one block.
	Continues bool
	// Highlight tints the row behind the bubble (the message a search hit led to); the
	// bubble's own colours, and so its text's contrast, stay as they are.
	Highlight bool
	// Attachments are drawn above the body: thumbnails for images, cards for files.
	Attachments []AttachmentView
	// Reactions are drawn as a bar of chips under the bubble.
	Reactions []Reaction
	// Quote is the message this one replies to; Forwarded the "Forwarded from" line
	// (bubble_extras.go).
	Quote     *BubbleQuote
	Forwarded string
}

// MessageBubble draws one history row: an optional date separator, then the bubble with
// sender, wrapped body, time and delivery mark; failed own messages get a Retry button.
// Its height depends on its width: lists ask HeightFor before laying it out.
type MessageBubble struct {
	widget.BaseWidget
	data BubbleData

	// OnRetry is called with the message id when the user taps Retry on a failed message.
	OnRetry func(id string)
	// OnMenu is called with the message id and the absolute position of a secondary tap
	// (or of the "⋯" button) to open the message's actions menu.
	OnMenu func(id string, at fyne.Position)
	// OnReact is called with the message id and emoji when a reaction chip is tapped.
	OnReact func(id, emoji string)
	// OnOpenAttachment and OnSaveAttachment are called with the message id and the
	// attachment's uid.
	OnOpenAttachment, OnSaveAttachment func(id, uid string)
	// OnQuote is called with the quoted message's id when the user taps a reply's quote.
	OnQuote func(quotedID string)

	hl     *canvas.Rectangle // the Highlight band
	day    *canvas.Text
	dayBg  *canvas.Rectangle
	bg     *canvas.Rectangle
	sender *canvas.Text
	body   *widget.RichText // the text, its web addresses as links (links.go)
	// bodyText and bodyStyle are what body shows, for measuring it.
	bodyText  string
	bodyStyle fyne.TextStyle
	// bodyDirty: body has new segments not wrapped yet. Wrapping it here, at the width
	// of the row it showed before, measured every substring of the text at a width it
	// would never be drawn at, and Fyne keeps each measured string a minute: half the
	// text metrics held after opening 20 chats (docs/benchmarks.md, "Issue 10, memory
	// in the real window, round 2").
	bodyDirty bool
	time      *canvas.Text
	tick1     *widget.Icon
	tick2     *widget.Icon
	retry     *widget.Button
	more      *moreButton
	react     *ReactionBar
	atts      []*AttachmentPreview // reused; the first len(data.Attachments) are shown
	objects   []fyne.CanvasObject
	hovered   bool
	fwd       *canvas.Text // "Forwarded from X"
	quote     *QuoteBlock
}

// NewMessageBubble makes an empty bubble; call Update to fill it.
func NewMessageBubble() *MessageBubble {
	b := &MessageBubble{
		hl:     canvas.NewRectangle(theme.Color(theme.ColorNameSelection)),
		day:    canvas.NewText("", theme.Color(theme.ColorNameForeground)),
		dayBg:  canvas.NewRectangle(theme.Color(theme.ColorNameButton)),
		bg:     canvas.NewRectangle(theme.Color(theme.ColorNameButton)),
		sender: canvas.NewText("", theme.Color(theme.ColorNamePrimary)),
		body:   widget.NewRichText(),
		time:   canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder)),
		tick1:  widget.NewIcon(nil),
		tick2:  widget.NewIcon(nil),
	}
	b.day.Alignment = fyne.TextAlignCenter
	b.sender.TextStyle = fyne.TextStyle{Bold: true}
	b.body.Wrapping = fyne.TextWrapWord
	b.retry = widget.NewButtonWithIcon(lang.L("Retry"), theme.ViewRefreshIcon(), func() {
		if b.OnRetry != nil && b.data.ID != "" {
			b.OnRetry(b.data.ID)
		}
	})
	b.retry.Importance = widget.DangerImportance
	b.more = newMoreButton(func(at fyne.Position) {
		if b.OnMenu != nil && b.data.ID != "" {
			b.OnMenu(b.data.ID, at)
		}
	})
	b.more.Hide()
	b.react = NewReactionBar(nil)
	b.react.OnToggle = func(emoji string) {
		if b.OnReact != nil && b.data.ID != "" {
			b.OnReact(b.data.ID, emoji)
		}
	}
	b.objects = []fyne.CanvasObject{b.dayBg, b.day, b.bg, b.sender, b.body, b.time, b.tick1, b.tick2, b.retry, b.react, b.more}
	b.initExtras()
	b.ExtendBaseWidget(b)
	b.apply()
	return b
}

// Update shows data in the bubble.
func (b *MessageBubble) Update(data BubbleData) {
	b.data = data
	b.apply()
	b.Refresh()
}

// Data returns what the bubble currently shows.
func (b *MessageBubble) Data() BubbleData { return b.data }

// BodyText returns the text drawn as the message body.
func (b *MessageBubble) BodyText() string { return b.bodyText }

// RetryVisible reports whether the Retry action is offered.
func (b *MessageBubble) RetryVisible() bool { return b.retry.Visible() }

// Retry runs the Retry action as if the button were tapped.
func (b *MessageBubble) Retry() { b.retry.OnTapped() }

// apply copies data into the child objects (text, visibility, icons, colours).
func (b *MessageBubble) apply() {
	d := b.data
	th := b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()

	b.hl.FillColor = th.Color(theme.ColorNameSelection, v)
	setVisible(d.Highlight, b.hl)

	b.day.Text = d.DayHeader
	b.day.TextSize = th.Size(theme.SizeNameCaptionText)
	b.day.Color = th.Color(theme.ColorNameForeground, v)
	b.dayBg.FillColor = th.Color(theme.ColorNameButton, v)
	setVisible(d.DayHeader != "", b.day, b.dayBg)

	b.sender.Text = d.Sender
	b.sender.Color = AvatarColor(d.Sender)
	b.sender.TextSize = th.Size(theme.SizeNameCaptionText)
	setVisible(d.Sender != "" && !d.Mine, b.sender)

	if d.Deleted {
		b.bodyText, b.bodyStyle = "🚫 "+lang.L("Message deleted"), fyne.TextStyle{} // grey, never italic (text.go)
		b.body.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: b.bodyText,
			Style: widget.RichTextStyle{ColorName: theme.ColorNameDisabled, TextStyle: b.bodyStyle, Inline: true}}}
	} else {
		b.bodyText, b.bodyStyle = d.Body, fyne.TextStyle{}
		b.body.Segments = linkSegments(d.Body)
	}
	b.bodyDirty = true // wrapped by geometry, once, at the bubble's width
	setVisible(b.bodyText != "", b.body)

	b.applyAttachments()
	b.applyExtras()
	b.react.SetReactions(d.Reactions)
	setVisible(len(d.Reactions) > 0 && !d.Deleted, b.react)

	b.time.Text = d.Time
	if d.Edited && !d.Deleted {
		b.time.Text = lang.X("bubble.edited", "edited {{.Time}}", map[string]any{"Time": d.Time})
	}
	b.time.TextSize = th.Size(theme.SizeNameCaptionText)
	b.time.Color = th.Color(theme.ColorNamePlaceHolder, v)

	if d.Mine {
		b.bg.FillColor = OwnBubble(th, v)
	} else {
		b.bg.FillColor = th.Color(theme.ColorNameButton, v)
	}
	b.applyStatus()
}

func (b *MessageBubble) applyStatus() {
	status := b.data.Status
	if !b.data.Mine {
		status = StatusNone
	}
	b.tick1.Hide()
	b.tick2.Hide()
	b.retry.Hide()
	switch status {
	case StatusPending:
		b.tick1.SetResource(quiet(theme.HistoryIcon()))
		b.tick1.Show()
	case StatusSent:
		b.tick1.SetResource(quiet(theme.ConfirmIcon()))
		b.tick1.Show()
	case StatusDelivered:
		b.tick1.SetResource(quiet(theme.ConfirmIcon()))
		b.tick2.SetResource(quiet(theme.ConfirmIcon()))
		b.tick1.Show()
		b.tick2.Show()
	case StatusRead:
		b.tick1.SetResource(theme.NewPrimaryThemedResource(theme.ConfirmIcon()))
		b.tick2.SetResource(theme.NewPrimaryThemedResource(theme.ConfirmIcon()))
		b.tick1.Show()
		b.tick2.Show()
	case StatusFailed:
		b.tick1.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
		b.tick1.Show()
		b.retry.Show()
	}
}

// HeightFor returns the row height this bubble needs at the given row width.
func (b *MessageBubble) HeightFor(width float32) float32 {
	return b.geometry(width).height
}

// Measure is Update(data) then HeightFor(width) for a bubble that is never shown
// (the history's measurer): it skips the refresh of the bubble's renderer and
// children, which lays the text out twice more for nothing. Sizing the bubbles is
// most of what opening a chat costs (docs/benchmarks.md, issue 10).
func (b *MessageBubble) Measure(data BubbleData, width float32) float32 {
	b.data = data
	b.apply()
	return b.geometry(width).height
}

func (b *MessageBubble) CreateRenderer() fyne.WidgetRenderer {
	return &bubbleRenderer{b: b}
}

type bubbleRenderer struct{ b *MessageBubble }

func (r *bubbleRenderer) Layout(size fyne.Size) { r.b.geometry(size.Width).place(r.b) }

func (r *bubbleRenderer) MinSize() fyne.Size {
	// A bubble can shrink to a narrow column; its real height comes from HeightFor(width).
	w := r.b.Size().Width
	if w <= 0 {
		w = 240
	}
	return fyne.NewSize(120, r.b.geometry(w).height)
}

func (r *bubbleRenderer) Refresh() {
	r.b.apply()
	r.Layout(r.b.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *bubbleRenderer) Objects() []fyne.CanvasObject {
	objs := append([]fyne.CanvasObject{r.b.hl}, r.b.objects...) // the band behind all
	for _, p := range r.b.atts[:r.b.shownAttachments()] {
		objs = append(objs, p)
	}
	return objs
}

func (r *bubbleRenderer) Destroy() {}

func setVisible(show bool, objs ...fyne.CanvasObject) {
	for _, o := range objs {
		if show {
			o.Show()
		} else {
			o.Hide()
		}
	}
}

// quiet tints an icon like secondary text: visible in both theme variants, yet calmer
// than the read ticks in the accent colour.
func quiet(r fyne.Resource) fyne.Resource {
	return theme.NewColoredResource(r, theme.ColorNamePlaceHolder)
}
