package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
)

// oneLine flattens line breaks and runs of spaces so a preview fits one row.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// tightVBox stacks objects vertically without padding between them: labels already carry
// their own inner padding, so the theme padding would make list rows look loose.
type tightVBox struct{}

func (tightVBox) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

func (tightVBox) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = fyne.Max(s.Width, m.Width)
		s.Height += m.Height
	}
	return s
}
