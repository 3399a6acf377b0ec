package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/widgets"
)

func TestMatchSpans(t *testing.T) {
	show := func(spans []textSpan) string {
		var sb strings.Builder
		for _, s := range spans {
			if s.match {
				fmt.Fprintf(&sb, "[%s]", s.text)
			} else {
				sb.WriteString(s.text)
			}
		}
		return sb.String()
	}
	for _, c := range []struct{ text, query, want string }{
		{"Hello World", "wor", "Hello [Wor]ld"},
		{"see you tomorrow at noon", "you NOON", "see [you] tomorrow at [noon]"},
		{"banana", "an", "b[anan]a"},
		{"École d'été", "éco ÉTÉ", "[Éco]le d'[été]"},
		{"İstanbul trip", "trip", "İstanbul [trip]"},
		{"nothing here", "zzz", "nothing here"},
		{"no query", "  ", "no query"},
		{"", "x", ""},
	} {
		if got := show(matchSpans(c.text, c.query)); got != c.want {
			t.Errorf("matchSpans(%q, %q) = %q, want %q", c.text, c.query, got, c.want)
		}
	}
}

// boldText is the bold parts of segs, joined by "|".
func boldText(segs []widget.RichTextSegment) string {
	var bold []string
	for _, s := range segs {
		if ts, ok := s.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold {
			bold = append(bold, ts.Text)
		}
	}
	return strings.Join(bold, "|")
}

// The words searched for are bold in the results; the message a result opens is marked
// in the history, and the mark goes after a moment.
func TestSearchHighlightsMatchesAndTheHit(t *testing.T) {
	u, m, _ := offlineUI(t)
	onUI(func() { test.Type(m.search.entry, "Message 17") })
	var row *searchRow
	waitFor(t, "a message result drawn", 5*time.Second, func() bool {
		onUI(func() {
			o := findIn(m.search.list, func(o fyne.CanvasObject) bool {
				r, ok := o.(*searchRow)
				return ok && r.text.Visible() && strings.Contains(r.text.String(), "message 17")
			})
			row, _ = o.(*searchRow)
		})
		return row != nil
	})
	onUI(func() {
		if got := boldText(row.text.Segments); got != "message|17" {
			t.Errorf("bold in %q: %q, want the words searched for", row.text.String(), got)
		}
	})
	// A chat name matching is bold in the chat row too.
	onUI(func() { m.search.entry.SetText("hik") })
	onUI(func() {
		o := findIn(m.search.list, func(o fyne.CanvasObject) bool {
			r, ok := o.(*searchRow)
			return ok && r.title.String() == "Hiking club"
		})
		if o == nil || boldText(o.(*searchRow).title.Segments) != "Hik" {
			t.Errorf("the chat row does not show the match in bold: %v", o)
		}
		m.search.entry.SetText("message 17")
	})

	var target searchItem
	waitFor(t, "the hit", 5*time.Second, func() bool {
		onUI(func() {
			for _, it := range m.search.items {
				if it.Kind == searchMessage && strings.HasSuffix(it.Text, "message 17") {
					target = it
				}
			}
		})
		return target.MessageID != ""
	})
	onUI(func() { m.search.open(target) })
	marked := func() (lit []string) {
		onUI(func() {
			for _, r := range m.chat.history.rows {
				if r.Highlight {
					lit = append(lit, r.ID)
				}
			}
		})
		return lit
	}
	waitFor(t, "the hit marked in the history", 5*time.Second, func() bool {
		lit := marked()
		return len(lit) == 1 && lit[0] == target.MessageID
	})
	// The bubble drawn for it shows the band.
	onUI(func() {
		o := findIn(u.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
			b, ok := o.(*widgets.MessageBubble)
			return ok && b.Data().ID == target.MessageID && b.Data().Highlight
		})
		if o == nil {
			t.Error("no drawn bubble carries the mark")
		}
	})
	waitFor(t, "the mark to go", 3*flashTime, func() bool { return len(marked()) == 0 })
}

// The × in the search box is drawn while it holds text, and a click on it clears it.
func TestSearchClearButtonIsDrawnAndClears(t *testing.T) {
	_, m, _ := offlineUI(t)
	drawn := func() fyne.CanvasObject {
		return findIn(m.search.entry, func(o fyne.CanvasObject) bool { return o == m.search.clear })
	}
	onUI(func() {
		if drawn() == nil {
			t.Fatal("the × is not among what the search box draws")
		}
		if m.search.clear.Visible() || !m.search.icon.Visible() {
			t.Error("an empty search box shows the × instead of the magnifier")
		}
		test.Type(m.search.entry, "bob")
		c := m.search.clear
		if !c.Visible() || m.search.icon.Visible() || c.Size().Width <= 0 || c.Size().Height <= 0 {
			t.Fatalf("with text: × visible %v (%v), magnifier visible %v", c.Visible(), c.Size(), m.search.icon.Visible())
		}
		if pos := c.Position(); pos.X < 0 || pos.X+c.Size().Width > m.search.entry.Size().Width {
			t.Errorf("the × at %v lies outside the %v box", pos, m.search.entry.Size())
		}
		test.Tap(c)
		if m.search.entry.Text != "" || c.Visible() || !m.search.icon.Visible() || m.search.results.Visible() {
			t.Errorf("after the ×: text %q, × visible %v, results visible %v", m.search.entry.Text, c.Visible(), m.search.results.Visible())
		}
	})
}

// The message a search hit opens is scrolled to the middle of the view, not to an edge.
func TestRevealedMessageIsInTheMiddle(t *testing.T) {
	_, m, _ := offlineUI(t)
	openD1(t, m)
	h := m.chat.history
	waitFor(t, "the history measured", 5*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = len(h.msgs) == 20 && len(h.heights) == 20 })
		return ok
	})
	target := fmt.Sprintf("%024x", 9) // "message 8", mid-history
	onUI(func() { h.reveal(target) })
	onUI(func() {
		i := -1
		for j, msg := range h.msgs {
			if msg.ID == target {
				i = j
			}
		}
		var top float32
		for _, x := range h.heights[:i] {
			top += x + 4 // theme.Padding() of the test theme
		}
		mid := top + h.heights[i]/2 - h.list.GetScrollOffset()
		if want := h.list.Size().Height / 2; mid < want-h.heights[i] || mid > want+h.heights[i] {
			t.Errorf("the row's middle is %v down a %v view, want about %v", mid, h.list.Size().Height, want)
		}
	})
}
