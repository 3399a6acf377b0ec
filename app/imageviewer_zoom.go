package app

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// Zoom limits of the image viewer, and one step of the buttons, keys and wheel.
const (
	zoomStep = 1.25
	zoomMax  = 8
	zoomMin  = 0.05
)

// zoomArea shows one picture fitted to its size or zoomed, around its centre or the
// pointer; a drag pans a zoomed picture and the wheel zooms. Being Scrollable, it clips
// what it draws: a zoomed picture never covers the viewer's bars.
type zoomArea struct {
	widget.BaseWidget
	img    *canvas.Image
	fit    bool    // follow the area's size
	scale  float32 // fyne units per picture pixel, when not fitting
	offset fyne.Position
	// onZoom is told when the scale changes (the viewer's "100 %" label).
	onZoom func()
	// onBackdrop is called for a tap beside the picture (the viewer closes).
	onBackdrop func()
}

func newZoomArea() *zoomArea {
	z := &zoomArea{img: canvas.NewImageFromImage(nil), fit: true, scale: 1}
	z.img.FillMode = canvas.ImageFillStretch
	z.img.ScaleMode = canvas.ImageScaleSmooth
	z.ExtendBaseWidget(z)
	return z
}

// setImage shows img fitted (nil: nothing). keepZoom keeps the scale, for a sharper
// copy of the same picture replacing its thumbnail.
func (z *zoomArea) setImage(img image.Image, keepZoom bool) {
	if !keepZoom {
		z.fit, z.offset = true, fyne.Position{}
	}
	z.img.Image = img
	z.img.Refresh()
	z.Refresh()
	z.zoomed()
}

func (z *zoomArea) pixels() fyne.Size {
	if z.img.Image == nil {
		return fyne.Size{}
	}
	b := z.img.Image.Bounds()
	return fyne.NewSize(float32(b.Dx()), float32(b.Dy()))
}

// fitScale is the scale that shows the whole picture (small pictures are not blown up).
func (z *zoomArea) fitScale() float32 {
	px, size := z.pixels(), z.Size()
	if px.Width <= 0 || px.Height <= 0 || size.Width <= 0 || size.Height <= 0 {
		return 1
	}
	return fyne.Min(1, fyne.Min(size.Width/px.Width, size.Height/px.Height))
}

// current is the scale in use.
func (z *zoomArea) current() float32 {
	if z.fit {
		return z.fitScale()
	}
	return z.scale
}

// zoomBy changes the scale by factor around at (a position in the area).
func (z *zoomArea) zoomBy(factor float32, at fyne.Position) {
	if z.img.Image == nil {
		return
	}
	old := z.current()
	next := fyne.Max(zoomMin, fyne.Min(zoomMax, old*factor))
	if next == old {
		return
	}
	// Keep the picture's point under at where it is.
	centre := fyne.NewPos(z.Size().Width/2, z.Size().Height/2)
	rel := at.Subtract(centre)
	z.offset = fyne.NewPos(rel.X-(rel.X-z.offset.X)*next/old, rel.Y-(rel.Y-z.offset.Y)*next/old)
	z.fit, z.scale = false, next
	z.clamp()
	z.Refresh()
	z.zoomed()
}

func (z *zoomArea) centre() fyne.Position {
	return fyne.NewPos(z.Size().Width/2, z.Size().Height/2)
}

func (z *zoomArea) zoomIn()  { z.zoomBy(zoomStep, z.centre()) }
func (z *zoomArea) zoomOut() { z.zoomBy(1/zoomStep, z.centre()) }

// fitToWindow shows the whole picture again.
func (z *zoomArea) fitToWindow() {
	z.fit, z.offset = true, fyne.Position{}
	z.Refresh()
	z.zoomed()
}

func (z *zoomArea) zoomed() {
	if z.onZoom != nil {
		z.onZoom()
	}
}

// clamp keeps a zoomed picture from being dragged out of view.
func (z *zoomArea) clamp() {
	px, size, s := z.pixels(), z.Size(), z.current()
	limX := fyne.Max(0, (px.Width*s-size.Width)/2)
	limY := fyne.Max(0, (px.Height*s-size.Height)/2)
	z.offset = fyne.NewPos(fyne.Max(-limX, fyne.Min(limX, z.offset.X)), fyne.Max(-limY, fyne.Min(limY, z.offset.Y)))
}

// imageRect is where the picture is drawn.
func (z *zoomArea) imageRect() (fyne.Position, fyne.Size) {
	px, s := z.pixels(), z.current()
	size := fyne.NewSize(px.Width*s, px.Height*s)
	c := z.centre().Add(z.offset)
	return fyne.NewPos(c.X-size.Width/2, c.Y-size.Height/2), size
}

// Scrolled zooms: up (away from the user) in, down out, around the pointer.
func (z *zoomArea) Scrolled(ev *fyne.ScrollEvent) {
	switch {
	case ev.Scrolled.DY > 0:
		z.zoomBy(zoomStep, ev.Position)
	case ev.Scrolled.DY < 0:
		z.zoomBy(1/zoomStep, ev.Position)
	}
}

// Dragged pans the picture.
func (z *zoomArea) Dragged(ev *fyne.DragEvent) {
	z.offset = z.offset.Add(ev.Dragged)
	z.clamp()
	z.Refresh()
}

func (z *zoomArea) DragEnd() {}

// Tapped beside the picture closes the viewer, as in Telegram.
func (z *zoomArea) Tapped(ev *fyne.PointEvent) {
	pos, size := z.imageRect()
	inside := ev.Position.X >= pos.X && ev.Position.X <= pos.X+size.Width &&
		ev.Position.Y >= pos.Y && ev.Position.Y <= pos.Y+size.Height
	if !inside && z.onBackdrop != nil {
		z.onBackdrop()
	}
}

func (z *zoomArea) CreateRenderer() fyne.WidgetRenderer { return &zoomRenderer{z: z} }

type zoomRenderer struct{ z *zoomArea }

func (r *zoomRenderer) Layout(fyne.Size) {
	r.z.clamp()
	pos, size := r.z.imageRect()
	r.z.img.Move(pos)
	r.z.img.Resize(size)
}

func (r *zoomRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(64) }

func (r *zoomRenderer) Refresh() {
	r.Layout(r.z.Size())
	canvas.Refresh(r.z.img)
}

func (r *zoomRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.z.img} }
func (r *zoomRenderer) Destroy()                     {}
