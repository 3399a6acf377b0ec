package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// seedPictures adds to d1 three pictures on this machine, a text, and a picture never
// downloaded (the server is down: it cannot be), newest last.
func seedPictures(t *testing.T, db *cache.DB) []cache.Message {
	t.Helper()
	dir := t.TempDir()
	start := time.Now().Add(-5 * time.Second)
	var msgs []cache.Message
	add := func(body string, att *cache.Attachment) {
		m := cache.Message{ID: fmt.Sprintf("%024x", 0xa00+len(msgs)), DialogID: "d1", SenderID: 2, RecipientID: 1,
			Body: body, SentAt: start.Add(time.Duration(len(msgs)) * time.Second), State: cache.StateRead}
		if att != nil {
			m.Attachments = []cache.Attachment{*att}
		}
		msgs = append(msgs, m)
	}
	for i, size := range [][2]int{{1600, 1200}, {300, 200}, {800, 1000}} {
		path := filepath.Join(dir, fmt.Sprintf("photo%d.png", i+1))
		writePNG(t, path, size[0], size[1])
		add("", &cache.Attachment{Type: "image", UID: fmt.Sprintf("uid%d", i+1), Name: filepath.Base(path),
			ContentType: "image/png", Size: 1000, LocalPath: path, Download: cache.DownloadDone})
		if i == 1 {
			add("a text between the pictures", nil)
		}
	}
	add("", &cache.Attachment{Type: "image", UID: "uid-far", Name: "far.png", ContentType: "image/png", Size: 1000})
	if _, err := db.UpsertMessages(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	return msgs
}

// thirdPicture scrolls the open chat (seedPictures') to its newest message and waits
// for the third picture's thumbnail to be shown.
func thirdPicture(t *testing.T, m *mainScreen) *widgets.AttachmentPreview {
	t.Helper()
	var preview *widgets.AttachmentPreview
	waitFor(t, "the third picture's thumbnail in the history", 10*time.Second, func() bool {
		onUI(func() {
			m.chat.history.list.ScrollToBottom()
			o := findIn(m.ui.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
				p, ok := o.(*widgets.AttachmentPreview)
				return ok && p.View().UID == "uid3" && p.Visible()
			})
			preview, _ = o.(*widgets.AttachmentPreview)
		})
		return preview != nil
	})
	return preview
}

// A click on a picture opens the viewer over the window: fitted, zoomed by buttons,
// keys and wheel, stepped through the chat's pictures by buttons and keys, with Save;
// a picture that cannot be downloaded says so and the viewer stays usable; Esc closes.
func TestImageViewer(t *testing.T) {
	u, m, db := offlineUI(t)
	msgs := seedPictures(t, db)
	openD1(t, m)
	cv := u.win.Canvas()
	preview := thirdPicture(t, m)
	onUI(func() { test.Tap(preview) })

	var v *imageViewer
	onUI(func() {
		v = m.chat.media.viewer
		if v == nil || cv.Overlays().Top() != v || cv.Focused() != v {
			t.Fatalf("tapping the picture: viewer %v, top overlay %T, focus %T", v, cv.Overlays().Top(), cv.Focused())
		}
		if v.title.Text != "photo3.png" || !strings.Contains(v.counter.Text, "3 of 4") || v.prev.Disabled() || v.next.Disabled() {
			t.Errorf("title %q, counter %q, prev disabled %v, next disabled %v", v.title.Text, v.counter.Text, v.prev.Disabled(), v.next.Disabled())
		}
		if v.Size() != cv.Size() {
			t.Errorf("the viewer covers %v of the %v window", v.Size(), cv.Size())
		}
	})
	fullPicture := func(w, h int) {
		t.Helper()
		waitFor(t, fmt.Sprintf("the %d×%d picture", w, h), 5*time.Second, func() bool {
			var ok bool
			onUI(func() {
				img := v.area.img.Image
				ok = img != nil && img.Bounds().Dx() == w && img.Bounds().Dy() == h && !v.busy.Visible()
			})
			return ok
		})
	}
	fullPicture(800, 1000)
	onUI(func() {
		typeKey(cv, fyne.KeyLeft)
		typeKey(cv, fyne.KeyLeft)
		if v.title.Text != "photo1.png" || !strings.Contains(v.counter.Text, "1 of 4") || !v.prev.Disabled() {
			t.Errorf("Left twice: %q %q", v.title.Text, v.counter.Text)
		}
	})
	fullPicture(1600, 1200)

	onUI(func() {
		// Fitted: the whole picture inside the area, smaller than its pixels.
		fit := v.area.current()
		pos, size := v.area.imageRect()
		area := v.area.Size()
		if !v.area.fit || fit >= 1 || pos.X < -0.5 || pos.Y < -0.5 || size.Width > area.Width+0.5 || size.Height > area.Height+0.5 {
			t.Fatalf("not fitted: scale %v, picture at %v size %v in %v", fit, pos, size, area)
		}
		if v.zoom.Text != fmt.Sprintf("%.0f %%", fit*100) {
			t.Errorf("zoom label %q at %v", v.zoom.Text, fit)
		}
		expect := func(what string, want float32) {
			t.Helper()
			if got := v.area.current(); got < want*0.999 || got > want*1.001 {
				t.Errorf("%s: scale %v, want %v", what, got, want)
			}
		}
		press(cv, combo(fyne.KeyEqual, ctrl))
		expect("Ctrl+=", fit*zoomStep)
		press(cv, combo(fyne.KeyMinus, ctrl))
		expect("Ctrl+-", fit)
		test.Tap(v.in)
		test.Tap(v.in)
		expect("zoom in twice", fit*zoomStep*zoomStep)
		test.Tap(v.out)
		expect("zoom out", fit*zoomStep)
		v.area.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(10, 10)}, Scrolled: fyne.Delta{DY: 1}})
		expect("the wheel", fit*zoomStep*zoomStep)
		press(cv, combo(fyne.Key0, ctrl))
		expect("Ctrl+0", fit)
		if !v.area.fit {
			t.Error("Ctrl+0 did not fit the picture to the window again")
		}

		// Left and Right, and the buttons, step through the pictures; the text is skipped.
		typeKey(cv, fyne.KeyRight)
		if v.title.Text != "photo2.png" || !strings.Contains(v.counter.Text, "2 of 4") {
			t.Errorf("after Right: %q %q", v.title.Text, v.counter.Text)
		}
	})
	fullPicture(300, 200)
	onUI(func() {
		if v.area.current() != 1 {
			t.Errorf("a small picture is blown up to %v", v.area.current())
		}
		typeKey(cv, fyne.KeyLeft)
		typeKey(cv, fyne.KeyLeft) // the first: stays
		if v.title.Text != "photo1.png" {
			t.Errorf("after Left twice: %q", v.title.Text)
		}
		test.Tap(v.next)
		test.Tap(v.next)
		if v.title.Text != "photo3.png" || v.next.Disabled() {
			t.Errorf("after Next twice: %q", v.title.Text)
		}
		typeKey(cv, fyne.KeyRight)
		if v.title.Text != "far.png" || !v.next.Disabled() {
			t.Errorf("the last picture: %q, next enabled %v", v.title.Text, !v.next.Disabled())
		}
	})
	// Not on this machine and the server is down: said, and the viewer stays.
	waitFor(t, "the download failure in the viewer", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			ok = v.status.Visible() && strings.Contains(v.status.Text, "Could not load the picture") && !v.busy.Visible()
		})
		return ok
	})
	onUI(func() {
		typeKey(cv, fyne.KeyLeft)
		if v.title.Text != "photo3.png" || v.status.Visible() {
			t.Errorf("back from the failed picture: %q, status %q", v.title.Text, v.status.Text)
		}
		// Save opens a file save dialog over the viewer.
		test.Tap(v.save)
	})
	waitFor(t, "the save dialog", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = cv.Overlays().Top() != v && len(cv.Overlays().List()) == 2 })
		return ok
	})
	onUI(func() {
		cv.Overlays().Top().Hide()
		cv.Overlays().Remove(cv.Overlays().Top())
		cv.Focus(v)
		typeKey(cv, fyne.KeyEscape)
		if m.chat.media.viewer != nil || cv.Overlays().Top() != nil || cv.Focused() != m.chat.composer {
			t.Fatalf("Esc: viewer %v, overlay %T, focus %T", m.chat.media.viewer, cv.Overlays().Top(), cv.Focused())
		}
		// Opened again, the × closes it too; a file that is not a picture does not open it.
		if !m.chat.showImage(msgs[0].ID, "uid1") {
			t.Fatal("showImage refused a picture")
		}
		// The same viewer, with the picture asked for: a new one would mean a new theme
		// scope, and Fyne parses the fonts again for each (17 MiB a time).
		if m.chat.media.viewer != v || m.chat.media.viewer.at != 0 || cv.Focused() != v {
			t.Fatalf("reopened: viewer %p (was %p) at %d, focus %T", m.chat.media.viewer, v, m.chat.media.viewer.at, cv.Focused())
		}
		test.Tap(m.chat.media.viewer.closeBtn)
		if m.chat.media.viewer != nil || cv.Overlays().Top() != nil {
			t.Fatal("the × left the viewer open")
		}
		if m.chat.showImage(msgs[3].ID, "") {
			t.Fatal("a text message opened the viewer")
		}
	})
}

func TestViewerItemsAreThePicturesInOrder(t *testing.T) {
	msgs := []cache.Message{
		{ID: "a", Attachments: []cache.Attachment{{Type: "image", UID: "1"}, {Type: "file", UID: "2", Name: "x.pdf"}}},
		{ID: "b", Body: "text"},
		{ID: "c", Deleted: true, Attachments: []cache.Attachment{{Type: "image", UID: "3"}}},
		{ID: "d", Attachments: []cache.Attachment{{Type: "image", LocalPath: "/tmp/pending.png"}, {ContentType: "image/jpeg", UID: "4"}}},
	}
	var got []string
	for _, it := range viewerItems(msgs) {
		got = append(got, it.msg.ID+"/"+it.att.UID)
	}
	if strings.Join(got, " ") != "a/1 d/ d/4" {
		t.Fatalf("viewer items %q", got)
	}
}
