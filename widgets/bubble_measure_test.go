package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
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
