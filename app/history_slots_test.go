package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// Opening chats one after another reuses the history's bubbles: Fyne keeps every
// bubble it laid out for a minute, so a new bubble per measured row (the list's
// template on each height change) or per chat held megabytes of closed chats.
func TestHistoryReusesItsBubblesAcrossChats(t *testing.T) {
	_, m, db := offlineUI(t)
	start := time.Now().Add(-time.Hour)
	msgs := make([]cache.Message, 40)
	for i := range msgs {
		msgs[i] = cache.Message{ID: fmt.Sprintf("b%023x", i+1), DialogID: "g1", SenderID: int64(1 + i%3),
			Body:   fmt.Sprintf("group message %d, long enough to wrap once or twice in a narrow pane of the window", i),
			SentAt: start.Add(time.Duration(i) * time.Minute), State: cache.StateRead}
	}
	if _, err := db.UpsertMessages(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	h := m.chat.history
	open := func(id string, n int) {
		t.Helper()
		onUI(func() { m.selectDialog(id) })
		waitFor(t, "the history of "+id, 5*time.Second, func() bool {
			var got int
			onUI(func() { got = len(h.rows) })
			return got == n
		})
	}
	open("d1", 20)
	var first int
	onUI(func() { first = h.slots.made })
	for range 3 {
		open("g1", 40)
		open("d1", 20)
	}
	onUI(func() {
		t.Logf("%d bubbles made (%d for the first chat)", h.slots.made, first)
		// The window shows about 12 rows; a screen of margin either side may keep more.
		if h.slots.made > 40 {
			t.Errorf("%d bubbles made for a list showing about 12 rows (%d for the first chat)", h.slots.made, first)
		}
		// Every row on screen is drawn by a bubble showing that row.
		shown := 0
		findIn(m.chat.history.content, func(o fyne.CanvasObject) bool {
			if b, ok := o.(*widgets.MessageBubble); ok && b.Visible() {
				for _, r := range h.rows {
					if r.ID == b.Data().ID {
						shown++
					}
				}
			}
			return false
		})
		if shown == 0 {
			t.Error("no bubble shows a row of d1")
		}
	})
}

// A row that grows while the reader is at the newest message (a thumbnail decoded
// after a sent picture scrolled the list down) keeps the newest message in view.
func TestHistoryStaysAtTheBottomWhenARowGrows(t *testing.T) {
	_, m, _ := offlineUI(t)
	h := m.chat.history
	onUI(func() { m.selectDialog("d1") })
	waitFor(t, "the history at the bottom", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = len(h.rows) == 20 && h.atBottom() })
		return ok
	})
	onUI(func() {
		last := &h.msgs[len(h.msgs)-1]
		last.Body = strings.Repeat("a line that wraps and wraps again in the pane\n", 8)
		h.redraw()
		if !h.atBottom() {
			t.Errorf("scrolled %v of %v: the grown newest row is cut off", h.list.GetScrollOffset()+h.list.Size().Height, h.contentHeight())
		}
	})
}
