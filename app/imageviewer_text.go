package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The viewer's text is drawn with fonts of its own. Its dark controls sit in a theme
// override, and Fyne parses the fonts of every text style it draws once per override
// scope and keeps them for good; a scope is new each time the override's renderer is
// made or refreshed: each time the viewer was opened after Fyne had dropped its
// renderer (app/fynecache) or the theme changed. Drawing the title, counter, zoom,
// status and the Save label in the scope parsed the regular and bold fonts again for
// every such opening (17 MiB in the window). A canvas.Text with a FontSource is drawn
// with that one font, parsed once for the app whatever the scope
// (TestViewerParsesNoFontsPerOpening); the viewer's strings are file names and
// numbers, which it covers.

// viewerLight is the viewer's text colour on its dark backdrop, in either theme.
var viewerLight = color.NRGBA{R: 0xf2, G: 0xf2, B: 0xf2, A: 0xff}

// statusWidth is the width of the viewer's status line and busy bar.
const statusWidth = 420

// viewerText is a line of the viewer's text, regular or bold.
func viewerText(bold bool) *canvas.Text {
	t := canvas.NewText("", viewerLight)
	t.TextStyle = fyne.TextStyle{Bold: bold}
	t.FontSource = fyne.CurrentApp().Settings().Theme().Font(t.TextStyle)
	return t
}

// labelledButton shows b (an icon button) with label after its icon, as Fyne draws a
// button with both, the label (returned too) a viewerText so it needs no fonts of the
// scope. The button spans both: a tap or hover on the label is the button's.
func labelledButton(b *widget.Button, label string) (fyne.CanvasObject, *canvas.Text) {
	b.Alignment = widget.ButtonAlignLeading
	text := viewerText(true)
	text.Text = label
	// Where Fyne puts a button's label: its inner padding, the icon, a padding, the
	// label, its inner padding again.
	lead := canvas.NewRectangle(color.Transparent)
	lead.SetMinSize(fyne.NewSize(theme.InnerPadding()+theme.IconInlineSize()+theme.Padding(), 0))
	trail := canvas.NewRectangle(color.Transparent)
	trail.SetMinSize(fyne.NewSize(theme.InnerPadding(), 0))
	return container.NewStack(b, container.New(layout.NewCustomPaddedHBoxLayout(0), lead, container.NewCenter(text), trail)), text
}

// restyleTexts gives the viewer's text the theme's text size again (the text scale may
// have changed in Settings since the viewer was made: a canvas.Text keeps the size it
// was made with).
func (v *imageViewer) restyleTexts() {
	size := theme.TextSize()
	for _, t := range []*canvas.Text{v.title, v.counter, v.zoom, v.status, v.saveLabel} {
		if t.TextSize != size {
			t.TextSize = size
			t.Refresh()
		}
	}
}

// fitLine cuts s to fit width when drawn as t, ending it with an ellipsis.
func fitLine(s string, width float32, t *canvas.Text) string {
	fits := func(s string) bool { return fyne.MeasureText(s, t.TextSize, t.TextStyle).Width <= width }
	if fits(s) {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && !fits(string(r)+"…") {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
