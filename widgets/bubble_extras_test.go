package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// A reply draws its quote above the text, taller than the same message without it; a
// tap on the quote asks for the quoted message; a long quote is cut to one line.
func TestBubbleQuoteAndForwardedLine(t *testing.T) {
	test.NewTempApp(t)
	b := NewMessageBubble()
	w := test.NewTempWindow(t, b)
	w.Resize(fyne.NewSize(500, 200))
	plain := BubbleData{ID: "m2", Body: "yes", Time: "10:00"}
	b.Update(plain)
	h0 := b.HeightFor(500)
	if b.QuoteVisible() || b.ForwardedText() != "" {
		t.Fatal("a plain message shows a quote or forward line")
	}

	reply := plain
	reply.Quote = &BubbleQuote{ID: "m1", Sender: "Bob", Text: strings.Repeat("long text ", 40)}
	b.Update(reply)
	if !b.QuoteVisible() || b.HeightFor(500) <= h0 {
		t.Fatalf("the quote is not drawn (height %v vs %v)", b.HeightFor(500), h0)
	}
	if reply.LayoutKey() == plain.LayoutKey() {
		t.Error("the layout key ignores the quote")
	}
	b.Resize(fyne.NewSize(500, b.HeightFor(500)))
	if got := b.quote.text.Text; !strings.HasSuffix(got, "…") || b.quote.text.MinSize().Width > b.quote.Size().Width {
		t.Errorf("the quote's line is not cut to the bubble: %q", got)
	}
	var tapped string
	b.OnQuote = func(id string) { tapped = id }
	b.TapQuote()
	if tapped != "m1" {
		t.Errorf("tapping the quote asked for %q", tapped)
	}

	fwd := plain
	fwd.Forwarded = "Forwarded from Carol"
	b.Update(fwd)
	if b.ForwardedText() != "Forwarded from Carol" || b.HeightFor(500) <= h0 {
		t.Error("the forwarded line is not drawn")
	}
	fwd.Deleted = true
	b.Update(fwd)
	if b.ForwardedText() != "" || b.QuoteVisible() {
		t.Error("a deleted message keeps its extras")
	}
}
