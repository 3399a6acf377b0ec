package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Avatar is a coloured circle with a contact's initials.
type Avatar struct {
	widget.BaseWidget
	name string
	size float32
}

// NewAvatar makes an avatar of the given diameter for name.
func NewAvatar(name string, size float32) *Avatar {
	a := &Avatar{name: name, size: size}
	a.ExtendBaseWidget(a)
	return a
}

// SetName changes whose initials and colour are shown.
func (a *Avatar) SetName(name string) {
	if a.name == name {
		return
	}
	a.name = name
	a.Refresh()
}

// Name returns the name the avatar stands for.
func (a *Avatar) Name() string { return a.name }

// Initials returns the letters currently drawn.
func (a *Avatar) Initials() string { return Initials(a.name) }

func (a *Avatar) CreateRenderer() fyne.WidgetRenderer {
	circle := canvas.NewCircle(AvatarColor(a.name))
	text := canvas.NewText(Initials(a.name), color.White)
	text.TextStyle = fyne.TextStyle{Bold: true}
	text.Alignment = fyne.TextAlignCenter
	r := &avatarRenderer{a: a, circle: circle, text: text}
	r.Refresh()
	return r
}

type avatarRenderer struct {
	a      *Avatar
	circle *canvas.Circle
	text   *canvas.Text
}

func (r *avatarRenderer) Layout(size fyne.Size) {
	d := fyne.Min(size.Width, size.Height)
	pos := fyne.NewPos((size.Width-d)/2, (size.Height-d)/2)
	r.circle.Move(pos)
	r.circle.Resize(fyne.NewSquareSize(d))
	ts := r.text.MinSize()
	r.text.Move(fyne.NewPos((size.Width-ts.Width)/2, (size.Height-ts.Height)/2))
	r.text.Resize(ts)
}

func (r *avatarRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(r.a.size) }

func (r *avatarRenderer) Refresh() {
	r.circle.FillColor = AvatarColor(r.a.name)
	r.text.Text = Initials(r.a.name)
	// The initials scale with the avatar so small and large avatars look alike.
	r.text.TextSize = r.a.size * 0.4
	if r.text.TextSize <= 0 {
		r.text.TextSize = theme.TextSize()
	}
	r.Layout(r.a.Size())
	r.circle.Refresh()
	r.text.Refresh()
}

func (r *avatarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.circle, r.text}
}

func (r *avatarRenderer) Destroy() {}
