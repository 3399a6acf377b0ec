package widgets

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// AttachmentKind decides how an attachment is drawn.
type AttachmentKind int

const (
	AttachmentFile  AttachmentKind = iota // a file card: icon, name, size, Open and Save
	AttachmentImage                       // a thumbnail (a placeholder until Image is set)
)

// AttachmentView is one attachment of a message, already formatted by the caller.
type AttachmentView struct {
	UID    string
	Kind   AttachmentKind
	Name   string
	Size   string // "1.2 MB"; "" = unknown
	Width  int    // image pixels, when known: the thumbnail keeps this aspect ratio
	Height int
	// Image is the decoded thumbnail; nil draws a placeholder of the right shape.
	Image image.Image
	// Progress is the upload progress 0..1 while the file is being sent; < 0 = none.
	Progress float64
	// Busy is true while the file is being downloaded to open or save it.
	Busy bool
}

// Thumbnail bounds: large enough to recognise a photo, small enough to keep the history
// readable (and cheap to draw).
const (
	thumbMaxWidth  float32 = 280
	thumbMaxHeight float32 = 260
	thumbMinSide   float32 = 64
	fileCardWidth  float32 = 260
)

// ThumbnailSize is the size an image of w×h pixels is drawn at, within maxWidth.
// Unknown sizes get a square placeholder.
func ThumbnailSize(w, h int, maxWidth float32) fyne.Size {
	maxW := fyne.Min(thumbMaxWidth, maxWidth)
	if w <= 0 || h <= 0 {
		side := fyne.Min(maxW, thumbMaxHeight*0.75)
		return fyne.NewSquareSize(side)
	}
	scale := fyne.Min(maxW/float32(w), thumbMaxHeight/float32(h))
	if scale > 1 {
		scale = 1 // never blow a small picture up
	}
	return fyne.NewSize(fyne.Max(float32(w)*scale, thumbMinSide), fyne.Max(float32(h)*scale, thumbMinSide))
}

// AttachmentPreview draws one attachment inside a bubble.
type AttachmentPreview struct {
	widget.BaseWidget
	view AttachmentView

	// OnOpen and OnSave are called when the user asks to open or save the file; OnOpen
	// also runs when a thumbnail is tapped.
	OnOpen, OnSave func(uid string)

	placeholder *canvas.Rectangle
	image       *canvas.Image
	cardBg      *canvas.Rectangle
	icon        *widget.Icon
	name        *widget.Label
	size        *widget.Label
	open, save  *widget.Button
	progress    *widget.ProgressBar
	busy        *widget.ProgressBarInfinite
	card        *fyne.Container
}

// NewAttachmentPreview makes a preview for v.
func NewAttachmentPreview(v AttachmentView) *AttachmentPreview {
	p := &AttachmentPreview{
		placeholder: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		image:       canvas.NewImageFromImage(nil),
		cardBg:      canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)),
		icon:        widget.NewIcon(theme.FileIcon()),
		name:        widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		size:        widget.NewLabel(""),
		progress:    widget.NewProgressBar(),
		busy:        widget.NewProgressBarInfinite(),
	}
	p.image.FillMode = canvas.ImageFillContain
	p.image.ScaleMode = canvas.ImageScaleSmooth
	p.placeholder.CornerRadius = theme.Padding() * 2
	p.cardBg.CornerRadius = theme.Padding() * 2
	p.name.Truncation = fyne.TextTruncateEllipsis
	p.size.SizeName = theme.SizeNameCaptionText
	p.size.Importance = widget.LowImportance
	p.open = widget.NewButtonWithIcon(lang.L("Open"), theme.FolderOpenIcon(), func() { p.call(p.OnOpen) })
	p.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DownloadIcon(), func() { p.call(p.OnSave) })
	p.open.Importance = widget.LowImportance
	p.save.Importance = widget.LowImportance
	p.busy.Stop()
	text := container.New(&tightVBox{}, p.name, p.size)
	buttons := container.NewHBox(p.open, p.save)
	p.card = container.NewBorder(nil, buttons, container.NewCenter(p.icon), nil, text)
	p.ExtendBaseWidget(p)
	p.Set(v)
	return p
}

func (p *AttachmentPreview) call(f func(string)) {
	if f != nil && p.view.UID != "" {
		f(p.view.UID)
	}
}

// Set shows v.
func (p *AttachmentPreview) Set(v AttachmentView) {
	p.view = v
	p.image.Image = v.Image
	p.name.SetText(v.Name)
	p.size.SetText(v.Size)
	if v.Kind == AttachmentImage {
		p.icon.SetResource(theme.FileImageIcon())
	} else {
		p.icon.SetResource(theme.FileIcon())
	}
	uploading := v.Progress >= 0
	setVisible(uploading, p.progress)
	if uploading {
		p.progress.SetValue(v.Progress)
	}
	setVisible(v.Busy, p.busy)
	if v.Busy {
		p.busy.Start()
	} else {
		p.busy.Stop()
	}
	// A file still uploading has nothing to open yet on the server side.
	setVisible(!uploading, p.open, p.save)
	p.Refresh()
}

// View returns what the preview shows.
func (p *AttachmentPreview) View() AttachmentView { return p.view }

// Tapped opens a thumbnail (the file card has its own buttons).
func (p *AttachmentPreview) Tapped(*fyne.PointEvent) {
	if p.view.Kind == AttachmentImage && p.view.Progress < 0 {
		p.call(p.OnOpen)
	}
}

// SizeFor is the preview's size inside a bubble whose content may be maxWidth wide.
func (p *AttachmentPreview) SizeFor(maxWidth float32) fyne.Size {
	var s fyne.Size
	if p.view.Kind == AttachmentImage {
		w, h := p.view.Width, p.view.Height
		if p.view.Image != nil && (w <= 0 || h <= 0) {
			b := p.view.Image.Bounds()
			w, h = b.Dx(), b.Dy()
		}
		s = ThumbnailSize(w, h, maxWidth)
	} else {
		s = fyne.NewSize(fyne.Min(fileCardWidth, maxWidth), p.card.MinSize().Height+theme.Padding())
	}
	if p.view.Progress >= 0 {
		s.Height += p.progress.MinSize().Height + theme.Padding()
	}
	if p.view.Busy {
		s.Height += p.busy.MinSize().Height + theme.Padding()
	}
	return s
}

func (p *AttachmentPreview) CreateRenderer() fyne.WidgetRenderer {
	return &previewRenderer{p: p}
}

type previewRenderer struct{ p *AttachmentPreview }

func (r *previewRenderer) Layout(size fyne.Size) {
	p := r.p
	pad := theme.Padding()
	bottom := size.Height
	for _, bar := range []fyne.CanvasObject{p.busy, p.progress} {
		if bar.Visible() {
			h := bar.MinSize().Height
			bottom -= h
			bar.Move(fyne.NewPos(0, bottom))
			bar.Resize(fyne.NewSize(size.Width, h))
			bottom -= pad
		}
	}
	main := fyne.NewSize(size.Width, bottom)
	image := p.view.Kind == AttachmentImage
	setVisible(image, p.placeholder, p.image)
	setVisible(!image, p.cardBg, p.card)
	for _, o := range []fyne.CanvasObject{p.placeholder, p.image, p.cardBg} {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(main)
	}
	p.card.Move(fyne.NewPos(pad/2, pad/2))
	p.card.Resize(fyne.NewSize(main.Width-pad, main.Height-pad))
}

func (r *previewRenderer) MinSize() fyne.Size { return r.p.SizeFor(thumbMaxWidth) }

func (r *previewRenderer) Refresh() {
	th := r.p.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.p.placeholder.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.p.cardBg.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.Layout(r.p.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *previewRenderer) Objects() []fyne.CanvasObject {
	p := r.p
	return []fyne.CanvasObject{p.placeholder, p.image, p.cardBg, p.card, p.progress, p.busy}
}

func (r *previewRenderer) Destroy() {}
