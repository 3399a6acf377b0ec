package widgets

import (
	"net/url"
	"regexp"
	"strings"

	"fyne.io/fyne/v2/widget"
)

// webAddress finds http(s) addresses in message text.
var webAddress = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkSegments splits text into plain runs and links (a click opens the address in the
// browser). Punctuation that ends a sentence is left out of a link, as readers expect.
func linkSegments(text string) []widget.RichTextSegment {
	var out []widget.RichTextSegment
	plain := func(s string) {
		if s != "" {
			out = append(out, &widget.TextSegment{Text: s, Style: widget.RichTextStyleInline})
		}
	}
	rest := 0
	for _, m := range webAddress.FindAllStringIndex(text, -1) {
		addr := strings.TrimRight(text[m[0]:m[1]], ".,;:!?)]}'")
		u, err := url.Parse(addr)
		if err != nil || u.Host == "" {
			continue
		}
		plain(text[rest:m[0]])
		out = append(out, &widget.HyperlinkSegment{Text: addr, URL: u})
		rest = m[0] + len(addr)
	}
	plain(text[rest:])
	return out
}

// Links lists the web addresses of text, as the bubble shows them as links.
func Links(text string) []string {
	var out []string
	for _, s := range linkSegments(text) {
		if l, ok := s.(*widget.HyperlinkSegment); ok {
			out = append(out, l.URL.String())
		}
	}
	return out
}
