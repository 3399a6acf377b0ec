package widgets

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

func TestReactionBarRendersAndToggles(t *testing.T) {
	test.NewTempApp(t)
	bar := NewReactionBar([]Reaction{{Emoji: "👍", Count: 2, Mine: true}, {Emoji: "😂", Count: 1}})
	w := test.NewTempWindow(t, bar)
	w.Resize(fyne.NewSize(300, 60))
	var toggled []string
	bar.OnToggle = func(e string) { toggled = append(toggled, e) }

	if n := len(test.WidgetRenderer(bar).Objects()); n != 2 {
		t.Fatalf("%d chips drawn, want 2", n)
	}
	test.Tap(bar.chips[1])
	if len(toggled) != 1 || toggled[0] != "😂" {
		t.Errorf("tapping a chip toggled %v", toggled)
	}
	chip := test.WidgetRenderer(bar.chips[0]).(*chipRenderer)
	if chip.Text() != "👍 2" || chip.bg.StrokeWidth == 0 {
		t.Errorf("own reaction chip %q should be highlighted", chip.Text())
	}
	if test.WidgetRenderer(bar.chips[1]).(*chipRenderer).bg.StrokeWidth != 0 {
		t.Error("others' reaction is not highlighted")
	}
	bar.SetReactions(nil)
	if n := len(test.WidgetRenderer(bar).Objects()); n != 0 || bar.MinSize().Width != 0 {
		t.Errorf("an empty bar draws %d chips", n)
	}
}

func TestAttachmentPreviewKinds(t *testing.T) {
	test.NewTempApp(t)
	file := NewAttachmentPreview(AttachmentView{UID: "u1", Kind: AttachmentFile, Name: "report.pdf", Size: "1.2 MB", Progress: -1})
	w := test.NewTempWindow(t, file)
	w.Resize(fyne.NewSize(320, 120))
	var opened, saved string
	file.OnOpen = func(uid string) { opened = uid }
	file.OnSave = func(uid string) { saved = uid }
	test.Tap(file.open)
	test.Tap(file.save)
	if opened != "u1" || saved != "u1" {
		t.Errorf("open/save gave %q/%q", opened, saved)
	}
	if file.name.Text != "report.pdf" || file.size.Text != "1.2 MB" || file.progress.Visible() {
		t.Errorf("file card shows %q %q progress=%v", file.name.Text, file.size.Text, file.progress.Visible())
	}

	file.Set(AttachmentView{UID: "u2", Kind: AttachmentFile, Name: "big.zip", Progress: 0.4})
	if !file.progress.Visible() || file.progress.Value != 0.4 || file.open.Visible() {
		t.Error("an uploading file shows its progress and no Open button")
	}

	img := image.NewRGBA(image.Rect(0, 0, 800, 400))
	thumb := NewAttachmentPreview(AttachmentView{UID: "u3", Kind: AttachmentImage, Image: img, Progress: -1})
	s := thumb.SizeFor(1000)
	if s.Width != thumbMaxWidth || s.Height != thumbMaxWidth/2 {
		t.Errorf("thumbnail of 800x400 is %v, want aspect kept within %v", s, thumbMaxWidth)
	}
	thumb.OnOpen = func(uid string) { opened = uid }
	test.Tap(thumb)
	if opened != "u3" {
		t.Error("tapping a thumbnail opens it")
	}
}

func TestThumbnailSize(t *testing.T) {
	cases := []struct {
		w, h int
		max  float32
		want fyne.Size
	}{
		{100, 50, 500, fyne.NewSize(100, 64)},                  // small pictures are not blown up (but stay tappable)
		{1000, 1000, 500, fyne.NewSize(260, 260)},              // height bound
		{2000, 500, 140, fyne.NewSize(140, 64)},                // narrow pane
		{0, 0, 500, fyne.NewSquareSize(thumbMaxHeight * 0.75)}, // unknown: square placeholder
	}
	for _, c := range cases {
		if got := ThumbnailSize(c.w, c.h, c.max); got != c.want {
			t.Errorf("ThumbnailSize(%d, %d, %v) = %v, want %v", c.w, c.h, c.max, got, c.want)
		}
	}
}

func TestBubbleMenuReactionsAndAttachments(t *testing.T) {
	test.NewTempApp(t)
	const width = 600
	plain := layoutBubble(t, BubbleData{ID: "m1", Body: "hi", Time: "10:00"}, width)
	rich := layoutBubble(t, BubbleData{ID: "m1", Body: "hi", Time: "10:00",
		Reactions:   []Reaction{{Emoji: "👍", Count: 1}},
		Attachments: []AttachmentView{{UID: "u", Kind: AttachmentImage, Width: 400, Height: 300, Progress: -1}}}, width)
	if rich.HeightFor(width) < plain.HeightFor(width)+200 {
		t.Errorf("a thumbnail and reactions need room: %v vs %v", rich.HeightFor(width), plain.HeightFor(width))
	}
	if !rich.react.Visible() || len(rich.AttachmentPreviews()) != 1 {
		t.Fatal("reaction bar and preview should show")
	}
	if rich.react.Position().Y < rich.bg.Position().Y+rich.bg.Size().Height {
		t.Error("the reaction bar sits under the bubble")
	}

	var menuID, reacted, openedUID string
	rich.OnMenu = func(id string, _ fyne.Position) { menuID = id }
	rich.OnReact = func(id, emoji string) { reacted = id + emoji }
	rich.OnOpenAttachment = func(id, uid string) { openedUID = id + "/" + uid }
	test.TapSecondary(rich)
	if menuID != "m1" {
		t.Errorf("secondary tap opened the menu of %q", menuID)
	}
	rich.ReactionBar().Toggle("👍")
	if reacted != "m1👍" {
		t.Errorf("reaction chip gave %q", reacted)
	}
	test.Tap(rich.AttachmentPreviews()[0])
	if openedUID != "m1/u" {
		t.Errorf("thumbnail tap gave %q", openedUID)
	}

	if rich.MenuVisible() {
		t.Error("the ⋯ button shows only on hover")
	}
	rich.MouseIn(&desktop.MouseEvent{})
	if !rich.MenuVisible() {
		t.Error("hovering shows the ⋯ button")
	}
	menuID = ""
	test.Tap(rich.more)
	if menuID != "m1" {
		t.Error("the ⋯ button opens the menu")
	}
	rich.MouseOut()
	if rich.MenuVisible() {
		t.Error("leaving hides the ⋯ button")
	}

	rich.Update(BubbleData{ID: "m2", Deleted: true, Time: "10:00", Reactions: []Reaction{{Emoji: "👍", Count: 1}},
		Attachments: []AttachmentView{{UID: "u"}}})
	if rich.react.Visible() || len(rich.AttachmentPreviews()) != 0 {
		t.Error("a deleted message shows neither reactions nor attachments")
	}
	menuID = ""
	test.TapSecondary(rich)
	if menuID != "" {
		t.Error("a deleted message has no menu")
	}
}

func TestBubbleLayoutKeyChangesWithContent(t *testing.T) {
	a := BubbleData{ID: "1", Body: "x"}
	b := a
	b.Reactions = []Reaction{{Emoji: "👍", Count: 1}}
	c := a
	c.Attachments = []AttachmentView{{Kind: AttachmentImage, Progress: -1}}
	if a.LayoutKey() == b.LayoutKey() || a.LayoutKey() == c.LayoutKey() || a.LayoutKey() != (BubbleData{ID: "1", Body: "x"}).LayoutKey() {
		t.Error("the layout key must follow what changes the height")
	}
}

func TestBannerAction(t *testing.T) {
	test.NewTempApp(t)
	b := NewBanner()
	test.NewTempWindow(t, b)
	tapped := 0
	b.Set("Offline", BannerWarning)
	b.SetAction("Retry now", func() { tapped++ })
	if b.Action() != "Retry now" {
		t.Errorf("action %q", b.Action())
	}
	b.TapAction()
	b.SetAction("", nil)
	b.TapAction()
	if tapped != 1 || b.Action() != "" {
		t.Errorf("tapped %d, action %q", tapped, b.Action())
	}
}

func TestEmojiButton(t *testing.T) {
	test.NewTempApp(t)
	taps := 0
	b := NewEmojiButton("🙏", true, func() { taps++ })
	w := test.NewTempWindow(t, b)
	w.Resize(fyne.NewSize(60, 60))
	r := test.WidgetRenderer(b).(*emojiButtonRenderer)
	if r.text.Text != "🙏" || r.bg.StrokeWidth == 0 {
		t.Error("a selected emoji is drawn with a ring")
	}
	if s := b.MinSize(); s.Width != s.Height || s.Width < r.text.MinSize().Width {
		t.Errorf("the button is a circle around the emoji, min size %v", s)
	}
	test.Tap(b)
	if taps != 1 {
		t.Errorf("taps %d", taps)
	}
}
