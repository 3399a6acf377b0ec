package widgets

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestMeasureMatchesUpdateAndHeightFor: one measurer fed row after row (as the
// history sizes its rows) gives each the height a fresh bubble gets from Update
// and HeightFor, at two widths.
func TestMeasureMatchesUpdateAndHeightFor(t *testing.T) {
	test.NewTempApp(t)
	long := strings.Repeat("a rather long line of chat that has to wrap ", 12)
	rows := []BubbleData{
		{ID: "1", Body: "hi", Time: "10:00", Sender: "Ann", DayHeader: "Today"},
		{ID: "2", Body: long, Time: "10:01", Mine: true, Status: StatusRead, Edited: true},
		{ID: "3", Body: "short again", Time: "10:02", Continues: true},
		{ID: "4", Deleted: true, Time: "10:03"},
		{ID: "5", Body: long + long, Time: "10:04", Reactions: []Reaction{{Emoji: "👍", Count: 2}},
			Quote: &BubbleQuote{Sender: "Bob", Text: "what was it?"}, Forwarded: "Carol"},
		{ID: "6", Body: "x", Time: "10:05", Mine: true, Status: StatusFailed, Error: "offline"},
	}
	measurer := NewMessageBubble()
	for _, width := range []float32{260, 640} {
		for _, r := range rows {
			fresh := NewMessageBubble()
			fresh.Update(r)
			want := fresh.HeightFor(width)
			if got := measurer.Measure(r, width); got != want {
				t.Errorf("width %v, row %s: Measure %v, Update+HeightFor %v", width, r.ID, got, want)
			}
		}
	}
}

// TestMeasureWrapsTheBodyOnce: Measure lays a message's text out at the bubble's
// width only, not first at the width of the row measured before (Fyne keeps every
// string it measured for a minute, so that wasted pass doubled the text metrics held
// after opening a chat). Rows alternate short and long, so each long row's bubble is
// wider than the one before; its allocations are compared with wrapping the same
// text once in a plain RichText of that width.
func TestMeasureWrapsTheBodyOnce(t *testing.T) {
	test.NewTempApp(t)
	n := 0
	// Fresh words each run: no string is in Fyne's metrics cache yet.
	text := func(words int) string {
		var b strings.Builder
		for i := range words {
			n++
			fmt.Fprintf(&b, "w%dx%d ", n, i)
		}
		return b.String()
	}
	measurer := NewMessageBubble()
	measured := testing.AllocsPerRun(20, func() {
		measurer.Measure(BubbleData{ID: "s", Body: text(2), Time: "10:00"}, 640)
		measurer.Measure(BubbleData{ID: "l", Body: text(60), Time: "10:01"}, 640)
	})
	wrapped := testing.AllocsPerRun(20, func() {
		for _, words := range []int{2, 60} {
			r := widget.NewRichText(linkSegments(text(words))...)
			r.Wrapping = fyne.TextWrapWord
			r.Resize(fyne.NewSize(400, 20))
		}
	})
	t.Logf("Measure %.0f allocations, the two wraps alone %.0f", measured, wrapped)
	if measured > 1.5*wrapped {
		t.Errorf("Measure made %.0f allocations for texts a RichText wraps in %.0f: wrapped twice?", measured, wrapped)
	}
}
