package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
)

// The app draws text in two styles, regular and bold (Fyne's buttons and headings).
// Fyne parses a set of font faces for every style it draws — the theme's font, the
// bundled emoji font and the system's font for the language, 8.6 MiB of Go heap
// together — and keeps them for the life of the process, so one italic label cost
// three times the memory of the 10,000-dialog list (docs/benchmarks.md, "Issue 10,
// memory in the real window, round 2"). Secondary text (a deleted message, "Forwarded from",
// typing, empty lists) is set apart by a grey colour instead; TestNoItalicText (app)
// holds to it.

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
