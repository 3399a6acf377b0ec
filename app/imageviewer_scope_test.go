package app

import (
	"image/png"
	"os"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// The viewer's dark controls sit in a theme override, and Fyne parses every font it
// draws text with once per override scope, keeping them for good; a scope is new
// each time the override's renderer is made or refreshed (the viewer opened again
// after Fyne dropped its renderer, a theme change). So the viewer draws its text with
// fonts of its own (canvas.Text with a FontSource, parsed once whatever the scope):
// opening it again costs no fonts. Before, each new scope that drew the viewer's
// title, counter, zoom and Save parsed the regular and bold fonts again (the heap grew
// 11.5 MiB an opening in the test driver; 17 MiB in the window, with the locale's font).
func TestViewerParsesNoFontsPerOpening(t *testing.T) {
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 1 // every allocation, so fontFacesParsed sees each parse
	u, m, db := offlineUI(t)
	seedPictures(t, db)
	openD1(t, m)
	cv := u.win.Canvas()
	preview := thirdPicture(t, m)
	var v *imageViewer
	reopen := func() {
		onUI(func() {
			test.Tap(preview)
			v = m.chat.media.viewer
			v.setStatus("Could not load the picture: test") // the status line's text too
			v.content.Refresh()                             // a new override scope, as when the renderer is made again
			img := cv.Capture()
			if path := os.Getenv("VIEWER_PNG"); path != "" {
				f, _ := os.Create(path)
				_ = png.Encode(f, img)
				f.Close()
			}
			v.setStatus("")
			v.close()
		})
	}
	reopen() // the first opening may parse the fonts the viewer's own text needs
	parses := fontFacesParsed()
	for range 3 {
		reopen()
	}
	if n := fontFacesParsed() - parses; n != 0 {
		t.Fatalf("three more openings of the viewer parsed the theme's fonts for a new scope (%d allocations)", n)
	}
}

// fontFacesParsed counts the allocations made so far by Fyne looking up the faces of a
// text style for a theme scope (painter.lookupFaces: the theme's font, the emoji font,
// the locale's), from the heap profile, which samples every allocation while the test
// runs (memProfileEvery).
func fontFacesParsed() int64 {
	runtime.GC() // the profile is published at the end of a collection cycle
	runtime.GC()
	var records []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, true)
	for {
		records = make([]runtime.MemProfileRecord, n+50)
		var ok bool
		if n, ok = runtime.MemProfile(records, true); ok {
			records = records[:n]
			break
		}
	}
	var count int64
	for _, r := range records {
		frames := runtime.CallersFrames(r.Stack())
		for {
			f, more := frames.Next()
			if strings.HasSuffix(f.Function, "internal/painter.lookupFaces") {
				count += r.AllocObjects
				break
			}
			if !more {
				break
			}
		}
	}
	return count
}

// The viewer's own text (a canvas.Text keeps the size it was made with) takes the text
// scale chosen in Settings since the viewer was made, as the Save button's Fyne label
// did before it was drawn by the viewer.
func TestViewerTextFollowsTheTextScale(t *testing.T) {
	u, m, db := offlineUI(t)
	seedPictures(t, db)
	openD1(t, m)
	preview := thirdPicture(t, m)
	onUI(func() {
		test.Tap(preview)
		v := m.chat.media.viewer
		before := v.saveLabel.TextSize
		v.close()
		s := u.settings()
		s.TextScale = 1.3
		u.applySettings(s)
		test.Tap(preview)
		want := theme.TextSize()
		if want <= before {
			t.Fatalf("the text size did not grow with the scale: %v, was %v", want, before)
		}
		for name, text := range map[string]*canvas.Text{"title": v.title, "counter": v.counter, "zoom": v.zoom, "save": v.saveLabel} {
			if text.TextSize != want {
				t.Errorf("the %s's text is %v after the scale changed, want %v", name, text.TextSize, want)
			}
		}
	})
}
