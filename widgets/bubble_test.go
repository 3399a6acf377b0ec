package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func layoutBubble(t *testing.T, data BubbleData, width float32) *MessageBubble {
	t.Helper()
	b := NewMessageBubble()
	w := test.NewTempWindow(t, b)
	b.Update(data)
	h := b.HeightFor(width)
	w.Resize(fyne.NewSize(width+2*8, h+2*8))
	b.Resize(fyne.NewSize(width, h))
	return b
}

func TestBubbleAlignment(t *testing.T) {
	test.NewTempApp(t)
	const width = 600
	mine := layoutBubble(t, BubbleData{ID: "1", Mine: true, Body: "hi", Time: "10:00", Status: StatusSent}, width)
	theirs := layoutBubble(t, BubbleData{ID: "2", Body: "hi", Time: "10:00", Sender: "Ann"}, width)

	if right := mine.bg.Position().X + mine.bg.Size().Width; right < width-20 {
		t.Errorf("own bubble should hug the right edge, ends at %v", right)
	}
	if theirs.bg.Position().X > 20 {
		t.Errorf("their bubble should hug the left edge, starts at %v", theirs.bg.Position().X)
	}
	if !theirs.sender.Visible() || mine.sender.Visible() {
		t.Error("sender name is shown on others' messages only")
	}
	if theirs.tick1.Visible() {
		t.Error("others' messages carry no delivery mark")
	}
}

func TestBubbleWrapsAndStaysInsidePane(t *testing.T) {
	test.NewTempApp(t)
	const width = 400
	short := layoutBubble(t, BubbleData{Body: "short", Time: "10:00"}, width)
	long := layoutBubble(t, BubbleData{Body: strings.Repeat("many words here ", 40), Time: "10:00"}, width)
	word := layoutBubble(t, BubbleData{Body: strings.Repeat("x", 300), Time: "10:00"}, width)

	if long.HeightFor(width) <= short.HeightFor(width)*2 {
		t.Errorf("long text should wrap to several lines: %v vs %v", long.HeightFor(width), short.HeightFor(width))
	}
	for name, b := range map[string]*MessageBubble{"long": long, "word": word} {
		if w := b.bg.Size().Width; w > width*bubbleMaxFraction+1 {
			t.Errorf("%s: bubble width %v exceeds the pane's bound", name, w)
		}
	}
	if word.HeightFor(width) <= short.HeightFor(width) {
		t.Error("a very long word should break onto more lines")
	}
	if h := long.HeightFor(200); h <= long.HeightFor(width) {
		t.Errorf("a narrower pane needs a taller bubble: %v at 200 vs %v at %v", h, long.HeightFor(width), width)
	}
}

func TestBubbleStatusMarks(t *testing.T) {
	test.NewTempApp(t)
	cases := []struct {
		status       MessageStatus
		ticks, retry bool
		double       bool
	}{
		{StatusPending, true, false, false},
		{StatusSent, true, false, false},
		{StatusDelivered, true, false, true},
		{StatusRead, true, false, true},
		{StatusFailed, true, true, false},
	}
	for _, c := range cases {
		b := layoutBubble(t, BubbleData{ID: "m1", Mine: true, Body: "x", Time: "10:00", Status: c.status}, 500)
		if b.tick1.Visible() != c.ticks || b.tick2.Visible() != c.double || b.RetryVisible() != c.retry {
			t.Errorf("%v: tick=%v double=%v retry=%v", c.status, b.tick1.Visible(), b.tick2.Visible(), b.RetryVisible())
		}
	}
}

func TestBubbleRetryAndDeleted(t *testing.T) {
	test.NewTempApp(t)
	b := layoutBubble(t, BubbleData{ID: "m7", Mine: true, Body: "x", Time: "10:00", Status: StatusFailed}, 500)
	var got string
	b.OnRetry = func(id string) { got = id }
	test.Tap(b.retry)
	if got != "m7" {
		t.Fatalf("Retry tapped gave %q, want m7", got)
	}

	b.Update(BubbleData{ID: "m8", Body: "secret", Deleted: true, Edited: true, Time: "10:00"})
	if b.BodyText() == "secret" || b.time.Text != "10:00" {
		t.Errorf("deleted message still shows %q / %q", b.BodyText(), b.time.Text)
	}
	b.Update(BubbleData{ID: "m9", Body: "fixed", Edited: true, Time: "10:00"})
	if b.time.Text != "edited 10:00" {
		t.Errorf("edited mark missing: %q", b.time.Text)
	}
}

func TestBubbleDayHeaderAddsHeight(t *testing.T) {
	test.NewTempApp(t)
	plain := layoutBubble(t, BubbleData{Body: "x", Time: "10:00"}, 500)
	dated := layoutBubble(t, BubbleData{Body: "x", Time: "10:00", DayHeader: "Today"}, 500)
	grouped := layoutBubble(t, BubbleData{Body: "x", Time: "10:00", Continues: true}, 500)
	if dated.HeightFor(500) <= plain.HeightFor(500) || !dated.day.Visible() {
		t.Error("a date separator needs room above the bubble")
	}
	if grouped.HeightFor(500) >= plain.HeightFor(500) {
		t.Error("a continued run should sit closer to the previous message")
	}
}

// A highlighted row gets a band across the whole row behind the bubble; the bubble keeps
// its colour (its text's contrast does not change); the height does not change either.
func TestBubbleHighlightBand(t *testing.T) {
	test.NewTempApp(t)
	const width = 500
	data := BubbleData{ID: "1", Body: "found it", Time: "10:00", Sender: "Ann"}
	plain := layoutBubble(t, data, width)
	data.Highlight = true
	lit := layoutBubble(t, data, width)
	if plain.hl.Visible() || !lit.hl.Visible() {
		t.Fatalf("band visible: plain %v, highlighted %v", plain.hl.Visible(), lit.hl.Visible())
	}
	if lit.hl.Size().Width != width || lit.hl.Position().Y > lit.bg.Position().Y ||
		lit.hl.Position().Y+lit.hl.Size().Height < lit.bg.Position().Y+lit.bg.Size().Height {
		t.Errorf("band at %v size %v does not span the bubble at %v size %v", lit.hl.Position(), lit.hl.Size(), lit.bg.Position(), lit.bg.Size())
	}
	if lit.bg.FillColor != plain.bg.FillColor || lit.HeightFor(width) != plain.HeightFor(width) {
		t.Error("the highlight changed the bubble's colour or height")
	}
	if data.LayoutKey() != (BubbleData{ID: "1", Body: "found it", Time: "10:00", Sender: "Ann"}).LayoutKey() {
		t.Error("the highlight must not force a re-measure")
	}
}
