package widgets

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestLinkSegments(t *testing.T) {
	type seg struct {
		text string
		link bool
	}
	for _, c := range []struct {
		in   string
		want []seg
	}{
		{"no links here", []seg{{"no links here", false}}},
		{"see https://example.com/a?b=1.", []seg{{"see ", false}, {"https://example.com/a?b=1", true}, {".", false}}},
		{"(http://x.org) and https://y.org/p", []seg{{"(", false}, {"http://x.org", true}, {") and ", false}, {"https://y.org/p", true}}},
		{"http:// alone", []seg{{"http:// alone", false}}},
	} {
		got := linkSegments(c.in)
		if len(got) != len(c.want) {
			t.Errorf("%q: %d segments, want %d", c.in, len(got), len(c.want))
			continue
		}
		for i, s := range got {
			switch v := s.(type) {
			case *widget.HyperlinkSegment:
				if !c.want[i].link || v.Text != c.want[i].text || v.URL.String() != c.want[i].text {
					t.Errorf("%q segment %d: link %q", c.in, i, v.Text)
				}
			case *widget.TextSegment:
				if c.want[i].link || v.Text != c.want[i].text {
					t.Errorf("%q segment %d: text %q", c.in, i, v.Text)
				}
			}
		}
	}
}

// A message's web address is drawn as a link in the bubble; the text stays whole.
func TestBubbleLinks(t *testing.T) {
	test.NewTempApp(t)
	b := NewMessageBubble()
	b.Update(BubbleData{ID: "m1", Body: "docs at https://example.com/docs", Time: "10:00"})
	if b.BodyText() != "docs at https://example.com/docs" {
		t.Errorf("body %q", b.BodyText())
	}
	var links int
	for _, s := range b.body.Segments {
		if _, ok := s.(*widget.HyperlinkSegment); ok {
			links++
		}
	}
	if links != 1 {
		t.Errorf("%d links in the bubble", links)
	}
	b.Update(BubbleData{ID: "m1", Body: "docs at https://example.com/docs", Deleted: true, Time: "10:00"})
	for _, s := range b.body.Segments {
		if _, ok := s.(*widget.HyperlinkSegment); ok {
			t.Error("a deleted message keeps a link")
		}
	}
}
