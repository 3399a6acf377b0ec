package app

import (
	"time"

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

// Leaving the main screen closes the image viewer and the send sheet: they are overlays
// of the window, which stays for the login screen.
func TestSignOutClosesTheViewerAndTheSheet(t *testing.T) {
	u, m, db := offlineUI(t)
	msgs := seedPictures(t, db)
	openD1(t, m)
	cv := u.win.Canvas()
	waitFor(t, "the pictures in the history", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { _, ok = m.chat.history.messageByID(msgs[0].ID) })
		return ok
	})
	onUI(func() {
		if !m.chat.showImage(msgs[0].ID, "uid1") {
			t.Fatal("no viewer")
		}
		m.chat.offerFiles("d1", []string{msgs[0].Attachments[0].LocalPath}, nil)
		if len(cv.Overlays().List()) != 2 {
			t.Fatalf("%d overlays, want the viewer and the sheet", len(cv.Overlays().List()))
		}
		u.signOut()
		if n := len(cv.Overlays().List()); n != 0 {
			t.Fatalf("%d overlays left over the login screen", n)
		}
	})
}
