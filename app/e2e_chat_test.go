package app

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// findIn walks a canvas object tree (containers and widget renderers) for the first
// object that matches.
func findIn(o fyne.CanvasObject, match func(fyne.CanvasObject) bool) fyne.CanvasObject {
	if match(o) {
		return o
	}
	var children []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		children = w.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(w).Objects()
	}
	for _, c := range children {
		if f := findIn(c, match); f != nil {
			return f
		}
	}
	return nil
}

// tapMenu opens the actions menu of message id and taps what match finds in it.
func tapMenu(t *testing.T, x *e2e, id string, match func(fyne.CanvasObject) bool) {
	t.Helper()
	onUI(func() {
		x.chat.showMessageMenu(id, fyne.NewPos(400, 300))
		top := x.u.Window().Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("the message menu did not open")
		}
		found := findIn(top, match)
		if found == nil {
			t.Fatal("the menu lacks the action")
		}
		found.(fyne.Tappable).Tapped(&fyne.PointEvent{})
	})
}

// TestReactEditAndFileReachPeer: Alice, in the UI, reacts to Bob's message through its
// menu, edits her own message through the composer's edit mode, and sends a picture the
// way the paperclip does; Bob's cache must show the reaction, the edit and the
// attachment. Bob's typing shows in Alice's typing line.
func TestReactEditAndFileReachPeer(t *testing.T) {
	x := startE2E(t)
	me := x.engine.Me()

	// Bob writes (his cache learns the private dialog by "creating" it: the server
	// returns the existing one); Alice reacts with 👍 from the message menu's quick row.
	if id, err := x.bob.CreateDialog(x.ctx, dialogPrivate, "", []int64{me}); err != nil || id != x.dialogID {
		t.Fatalf("Bob's dialog %q, %v", id, err)
	}
	bobMsgID, err := x.bob.Send(x.ctx, x.dialogID, "hi from Bob")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Bob's message in Alice's history", 20*time.Second, func() bool {
		var ok bool
		onUI(func() { _, ok = x.chat.history.messageByID(bobMsgID) })
		return ok
	})
	tapMenu(t, x, bobMsgID, func(o fyne.CanvasObject) bool {
		b, ok := o.(*widgets.EmojiButton)
		return ok && b.Emoji == "👍"
	})
	x.bobMessage(t, "Alice's reaction in Bob's cache", func(m cache.Message) bool {
		return m.ID == bobMsgID && slices.Contains(m.Reactions["👍"], me)
	})
	waitFor(t, "the reaction bar on Alice's side", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			for _, r := range x.chat.history.rows {
				if r.ID == bobMsgID && len(r.Reactions) == 1 && r.Reactions[0].Mine {
					ok = true
				}
			}
		})
		return ok
	})

	// Alice sends a message with a typo, then edits it: menu → Edit, new text, Enter.
	onUI(func() {
		test.Type(x.chat.composer, "see you tomorow")
		x.chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	sent := x.bobMessage(t, "Alice's message in Bob's cache", func(m cache.Message) bool {
		return m.Body == "see you tomorow"
	})
	waitFor(t, "Alice's message confirmed", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			m, found := x.chat.history.messageByID(sent.ID)
			ok = found && m.State.Confirmed()
		})
		return ok
	})
	onUI(func() { x.chat.composer.SetText("a draft") })
	tapMenu(t, x, sent.ID, func(o fyne.CanvasObject) bool {
		b, ok := o.(*widget.Button)
		return ok && b.Text == "Edit"
	})
	onUI(func() {
		if x.chat.EditingID() != sent.ID || x.chat.composer.Text != "see you tomorow" {
			t.Fatalf("edit mode: editing %q, composer %q", x.chat.EditingID(), x.chat.composer.Text)
		}
		x.chat.composer.SetText("see you tomorrow")
		x.chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	x.bobMessage(t, "the edit in Bob's cache", func(m cache.Message) bool {
		return m.ID == sent.ID && m.Body == "see you tomorrow" && m.Edited()
	})
	waitFor(t, "edit mode to end with the draft back", 10*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = x.chat.EditingID() == "" && x.chat.composer.Text == "a draft" })
		return ok
	})

	// A picture, sent the way the paperclip and drag-and-drop do.
	pic := filepath.Join(t.TempDir(), "sunset.png")
	writePNG(t, pic, 64, 32)
	onUI(func() { x.chat.sendFile(x.dialogID, pic) })
	att := x.bobMessage(t, "the picture in Bob's cache", func(m cache.Message) bool {
		return len(m.Attachments) == 1 && m.Attachments[0].Name == "sunset.png" && m.Attachments[0].UID != ""
	}).Attachments[0]
	if att.Type != "image" || att.Size == 0 {
		t.Errorf("Bob's attachment %+v", att)
	}
	waitFor(t, "the thumbnail in Alice's bubble", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			for _, r := range x.chat.history.rows {
				if len(r.Attachments) == 1 && r.Attachments[0].Name == "sunset.png" && r.Attachments[0].Image != nil {
					ok = r.Attachments[0].Kind == widgets.AttachmentImage && r.Attachments[0].Progress < 0
				}
			}
		})
		return ok
	})

	// Bob types; Alice sees it under the history.
	x.bob.SetTyping(x.dialogID, true)
	waitFor(t, "the typing line", 10*time.Second, func() bool {
		var text string
		onUI(func() { text = x.chat.typing.Text })
		return strings.Contains(text, "Bob is typing")
	})
}

func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: uint8(x * 4), G: uint8(y * 8), B: 200, A: 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
