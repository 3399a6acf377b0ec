package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// BannerKind decides a banner's colour.
type BannerKind int

const (
	BannerInfo    BannerKind = iota // connecting, syncing
	BannerWarning                   // offline, reconnecting
	BannerError                     // signed out, failed
)

// Banner is a thin coloured strip with one line of text, used for the connection state.
// Empty text hides it, so a healthy connection takes no room.
type Banner struct {
	widget.BaseWidget
	text   string
	kind   BannerKind
	action *widget.Button // hidden unless SetAction gave it a label
}

// NewBanner makes a hidden banner.
func NewBanner() *Banner {
	b := &Banner{action: widget.NewButton("", nil)}
	b.action.Importance = widget.LowImportance
	b.action.Hide()
	b.ExtendBaseWidget(b)
	b.Hide()
	return b
}

// Set shows text in the colour of kind; "" hides the banner.
func (b *Banner) Set(text string, kind BannerKind) {
	b.text, b.kind = text, kind
	if text == "" {
		b.Hide()
		return
	}
	b.Show()
	b.Refresh()
}

// SetAction offers a button at the banner's end ("Retry now"); an empty label removes it.
func (b *Banner) SetAction(label string, tapped func()) {
	b.action.SetText(label)
	b.action.OnTapped = tapped
	if label == "" || tapped == nil {
		b.action.Hide()
	} else {
		b.action.Show()
	}
	b.Refresh()
}

// Action returns the label of the offered action ("" = none).
func (b *Banner) Action() string {
	if !b.action.Visible() {
		return ""
	}
	return b.action.Text
}

// TapAction runs the offered action as if its button were tapped.
func (b *Banner) TapAction() {
	if b.action.Visible() && b.action.OnTapped != nil {
		b.action.OnTapped()
	}
}

// Text returns the banner's text ("" when hidden).
func (b *Banner) Text() string { return b.text }

func (b *Banner) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameWarning))
	label := widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	label.Truncation = fyne.TextTruncateEllipsis
	row := container.NewBorder(nil, nil, nil, b.action, label)
	r := &bannerRenderer{b: b, bg: bg, label: label, box: container.NewStack(bg, row)}
	r.Refresh()
	return r
}

type bannerRenderer struct {
	b     *Banner
	bg    *canvas.Rectangle
	label *widget.Label
	box   *fyne.Container
}

func (r *bannerRenderer) Layout(size fyne.Size) { r.box.Resize(size) }

func (r *bannerRenderer) MinSize() fyne.Size { return r.box.MinSize() }

func (r *bannerRenderer) Refresh() {
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	name := theme.ColorNamePrimary
	switch r.b.kind {
	case BannerWarning:
		name = theme.ColorNameWarning
	case BannerError:
		name = theme.ColorNameError
	}
	r.bg.FillColor = mix(th.Color(name, v), th.Color(theme.ColorNameBackground, v), 0.35)
	r.bg.Refresh()
	r.label.SetText(r.b.text)
}

func (r *bannerRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.box} }

func (r *bannerRenderer) Destroy() {}
