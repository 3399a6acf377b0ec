package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// The shortcut sheet lists the keys of pasting, the send sheet and the image viewer.
func TestShortcutSheetListsTheMediaKeys(t *testing.T) {
	u, _, _ := offlineUI(t)
	cv := u.Window().Canvas()
	onUI(func() {
		cv.Unfocus()
		typeKey(cv, fyne.KeyF1)
		var texts []string
		findIn(cv.Overlays().Top(), func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
			return false
		})
		got := strings.Join(texts, "\n")
		for _, want := range []string{"Ctrl+V", "Paste a picture", "Left / Right", "Ctrl+= / Ctrl+- / Ctrl+0", "Close the image viewer", "send sheet"} {
			if !strings.Contains(got, want) {
				t.Errorf("the sheet lacks %q", want)
			}
		}
	})
}
