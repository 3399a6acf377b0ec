package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// italicIn returns a description of the first italic text under o, or "".
func italicIn(o fyne.CanvasObject) string {
	var found string
	findIn(o, func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *canvas.Text:
			if x.TextStyle.Italic {
				found = "text " + x.Text
			}
		case *widget.Label:
			if x.TextStyle.Italic {
				found = "label " + x.Text
			}
		case *widget.RichText:
			for _, s := range x.Segments {
				if t, ok := s.(*widget.TextSegment); ok && t.Style.TextStyle.Italic {
					found = "rich text " + t.Text
				}
			}
		}
		return found != ""
	})
	return found
}

// The window draws no italic text: every style Fyne draws parses its own set of font
// faces, 8.6 MiB (widgets/text.go). A chat with a deleted and a forwarded message, the
// typing line, the edit chip and the empty lists' labels are all checked.
func TestNoItalicText(t *testing.T) {
	u, m, db := offlineUI(t)
	now := time.Now()
	fwd := forwardParams(cache.Message{ID: "o1", SenderID: 2, Body: "original"}, nil)
	extra := []cache.Message{
		{ID: "c00000000000000000000001", DialogID: "d1", SenderID: 2, RecipientID: 1, Body: "gone", Deleted: true,
			SentAt: now, State: cache.StateRead},
		{ID: "c00000000000000000000002", DialogID: "d1", SenderID: 2, RecipientID: 1, Body: "passed on",
			Custom: map[string]any{paramForwardID: fwd[paramForwardID], paramForwardSender: fwd[paramForwardSender],
				paramForwardName: fwd[paramForwardName]}, SentAt: now.Add(time.Second), State: cache.StateRead},
	}
	if _, err := db.UpsertMessages(context.Background(), extra); err != nil {
		t.Fatal(err)
	}
	onUI(func() { m.selectDialog("d1") })
	h := m.chat.history
	waitFor(t, "the deleted and the forwarded message", 5*time.Second, func() bool {
		var deleted, forwarded bool
		onUI(func() {
			for _, r := range h.rows {
				deleted = deleted || r.Deleted
				forwarded = forwarded || r.Forwarded != ""
			}
		})
		return deleted && forwarded
	})
	onUI(func() {
		h.list.ScrollToBottom()
		m.chat.typing.SetText("Bob is typing…")
		m.chat.editLabel.SetText("Editing: hello")
		m.chat.editChip.Show()
		for _, o := range []fyne.CanvasObject{u.win.Canvas().Content(), m.empty, h.empty} {
			if s := italicIn(o); s != "" {
				t.Errorf("italic %s", s)
			}
		}
	})
}
