package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// openD1 opens the private dialog of offlineUI.
func openD1(t *testing.T, m *mainScreen) {
	t.Helper()
	waitFor(t, "the dialog to open", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = m.selectDialog("d1") })
		return ok
	})
}

// storedFile waits for the cache to hold a message of d1 with the attachment name.
func storedFile(t *testing.T, db *cache.DB, name string) cache.Message {
	t.Helper()
	var found cache.Message
	waitFor(t, name+" in the cache", 10*time.Second, func() bool {
		msgs, err := db.Messages(context.Background(), "d1", time.Time{}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range msgs {
			if len(msg.Attachments) == 1 && msg.Attachments[0].Name == name {
				found = msg
				return true
			}
		}
		return false
	})
	return found
}

// sheetButton finds the sheet's button labelled text among the window's overlays.
func sheetButton(c fyne.Canvas, text string) *widget.Button {
	for _, o := range c.Overlays().List() {
		if b, ok := findIn(o, func(x fyne.CanvasObject) bool {
			b, ok := x.(*widget.Button)
			return ok && b.Text == text
		}).(*widget.Button); ok {
			return b
		}
	}
	return nil
}

// A dropped picture opens the send sheet with its preview, name and size; the caption
// typed there and Enter send one message holding both.
func TestDroppedPictureGoesThroughTheSendSheetWithItsCaption(t *testing.T) {
	u, m, db := offlineUI(t)
	openD1(t, m)
	pic := filepath.Join(t.TempDir(), "sunset.png")
	writePNG(t, pic, 60, 30)
	cv := u.win.Canvas()
	onUI(func() { m.chat.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(pic)}) })

	var sheet *sendSheet
	onUI(func() {
		sheet = m.chat.media.sheet
		if sheet == nil {
			t.Fatal("dropping a picture opened no send sheet")
		}
		if sheet.dlg == nil || cv.Overlays().Top() == nil {
			t.Fatal("the sheet is not shown")
		}
		if cv.Focused() != sheet.caption {
			t.Errorf("the caption field should have the focus, %T has it", cv.Focused())
		}
		if findIn(cv.Overlays().Top(), labelled("sunset.png")) == nil || findIn(cv.Overlays().Top(), labelled(humanSize(sheet.files[0].size))) == nil {
			t.Error("the sheet does not show the file's name and size")
		}
		if sheetButton(cv, "Send") == nil || sheetButton(cv, "Cancel") == nil {
			t.Error("the sheet lacks Send or Cancel")
		}
	})
	waitFor(t, "the picture's preview", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = sheet.preview != nil && sheet.preview.Image != nil })
		return ok
	})
	if msgs, _ := db.Messages(context.Background(), "d1", time.Time{}, "", 5); len(msgs) > 0 && len(msgs[len(msgs)-1].Attachments) > 0 {
		t.Fatal("the file was sent before the sheet's Send")
	}
	onUI(func() {
		test.Type(sheet.caption, "the sun going down")
		typeKey(cv, fyne.KeyReturn)
		if m.chat.media.sheet != nil || cv.Overlays().Top() != nil {
			t.Error("Enter left the sheet open")
		}
	})
	got := storedFile(t, db, "sunset.png")
	if got.Body != "the sun going down" {
		t.Fatalf("the caption did not go with the picture: body %q", got.Body)
	}
}

// Esc (in the caption or anywhere) and Cancel close the sheet and send nothing; a
// pasted picture's file is removed then. Other files show a file icon, not a preview.
func TestSendSheetCancels(t *testing.T) {
	u, m, db := offlineUI(t)
	openD1(t, m)
	cv := u.win.Canvas()
	doc := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(doc, []byte("shopping list"), 0o600); err != nil {
		t.Fatal(err)
	}
	discarded := 0
	onUI(func() {
		m.chat.offerFiles("d1", []string{doc}, func() { discarded++ })
		s := m.chat.media.sheet
		if s == nil || s.preview != nil {
			t.Fatalf("a text file's sheet: %+v", s)
		}
		if s.dlg == nil || !strings.Contains(sheetTitle(s.files), "file") {
			t.Errorf("title %q", sheetTitle(s.files))
		}
		typeKey(cv, fyne.KeyEscape) // in the caption
		if m.chat.media.sheet != nil || discarded != 1 {
			t.Fatalf("Esc in the caption: sheet %v, discarded %d", m.chat.media.sheet, discarded)
		}

		m.chat.offerFiles("d1", []string{doc}, func() { discarded++ })
		cv.Unfocus()
		typeKey(cv, fyne.KeyEscape) // nothing focused: the window's Esc
		if m.chat.media.sheet != nil || discarded != 2 {
			t.Fatalf("Esc in the window: sheet %v, discarded %d", m.chat.media.sheet, discarded)
		}

		m.chat.offerFiles("d1", []string{doc}, func() { discarded++ })
		test.Tap(sheetButton(cv, "Cancel"))
		if m.chat.media.sheet != nil || discarded != 3 {
			t.Fatalf("Cancel: sheet %v, discarded %d", m.chat.media.sheet, discarded)
		}

		// A folder is explained and offers nothing.
		m.chat.offerFiles("d1", []string{t.TempDir()}, func() { discarded++ })
		if m.chat.media.sheet != nil || discarded != 4 || !strings.Contains(m.chat.NoticeText(), "not a file") {
			t.Fatalf("a folder: sheet %v, discarded %d, notice %q", m.chat.media.sheet, discarded, m.chat.NoticeText())
		}
	})
	msgs, err := db.Messages(context.Background(), "d1", time.Time{}, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range msgs {
		if len(msg.Attachments) > 0 {
			t.Fatalf("a cancelled sheet sent %+v", msg)
		}
	}
}

func labelled(text string) func(fyne.CanvasObject) bool {
	return func(o fyne.CanvasObject) bool {
		l, ok := o.(*widget.Label)
		return ok && l.Text == text
	}
}

// Through a real server: the picture and the caption typed in the sheet reach the peer
// as one message.
func TestCaptionedPictureReachesPeer(t *testing.T) {
	x := startE2E(t)
	pic := filepath.Join(t.TempDir(), "harbour.png")
	writePNG(t, pic, 48, 32)
	cv := x.u.win.Canvas()
	onUI(func() {
		x.chat.dropped(fyne.NewPos(5, 5), []fyne.URI{storage.NewFileURI(pic)})
		if x.chat.media.sheet == nil {
			t.Fatal("no send sheet")
		}
		test.Type(x.chat.media.sheet.caption, "the harbour this morning")
		typeKey(cv, fyne.KeyReturn)
	})
	got := x.bobMessage(t, "the captioned picture in Bob's cache", func(m cache.Message) bool {
		return len(m.Attachments) == 1 && m.Attachments[0].Name == "harbour.png" && m.Attachments[0].UID != ""
	})
	if got.Body != "the harbour this morning" || got.Attachments[0].Type != "image" {
		t.Fatalf("Bob received body %q with %+v", got.Body, got.Attachments[0])
	}
}

// Several dropped files share one sheet; the caption goes with the first.
func TestSeveralDroppedFilesShareOneSheet(t *testing.T) {
	u, m, db := offlineUI(t)
	openD1(t, m)
	dir := t.TempDir()
	pic, doc := filepath.Join(dir, "a-photo.png"), filepath.Join(dir, "b-notes.txt")
	writePNG(t, pic, 20, 20)
	if err := os.WriteFile(doc, []byte("notes"), 0o600); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		m.chat.dropped(fyne.NewPos(1, 1), []fyne.URI{storage.NewFileURI(pic), storage.NewFileURI(doc)})
		s := m.chat.media.sheet
		if s == nil || len(s.files) != 2 || sheetTitle(s.files) != "Send 2 files" {
			t.Fatalf("sheet %+v", s)
		}
		test.Type(s.caption, "both for you")
		test.Tap(sheetButton(u.win.Canvas(), "Send"))
	})
	if got := storedFile(t, db, "a-photo.png"); got.Body != "both for you" {
		t.Errorf("the first file's body %q", got.Body)
	}
	if got := storedFile(t, db, "b-notes.txt"); got.Body != "" {
		t.Errorf("the caption went with the second file too: %q", got.Body)
	}
}
