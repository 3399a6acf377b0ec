package app

import (
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Search highlights: the words searched for are bold in the results, and the message a
// result opens is marked in the history for a moment (a band behind its bubble), so the
// eye finds it among its neighbours.

// textSpan is a piece of a result's text: a match of the query, or text between.
type textSpan struct {
	text  string
	match bool
}

// matchSpans splits text into the spans that match a word of query (case-insensitive,
// anywhere in a word, as the cache's prefix search finds them) and the rest.
func matchSpans(text, query string) []textSpan {
	runes := []rune(text)
	lower := make([]rune, len(runes))
	for i, r := range runes {
		lower[i] = unicode.ToLower(r) // rune by rune: positions stay those of text
	}
	marked := make([]bool, len(runes))
	for _, w := range strings.Fields(query) {
		word := []rune(strings.ToLower(w))
		for i := 0; i+len(word) <= len(lower); i++ {
			if equalRunes(lower[i:i+len(word)], word) {
				for j := i; j < i+len(word); j++ {
					marked[j] = true
				}
			}
		}
	}
	var out []textSpan
	for i := 0; i < len(runes); {
		j := i
		for j < len(runes) && marked[j] == marked[i] {
			j++
		}
		out = append(out, textSpan{text: string(runes[i:j]), match: marked[i]})
		i = j
	}
	return out
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if unicode.ToLower(a[i]) != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// highlightSegments draws text in style with the matches of query in bold.
func highlightSegments(text, query string, style widget.RichTextStyle) []widget.RichTextSegment {
	style.Inline = true
	var segs []widget.RichTextSegment
	for _, s := range matchSpans(text, query) {
		st := style
		if s.match {
			st.TextStyle.Bold = true
			st.ColorName = theme.ColorNameForeground
		}
		segs = append(segs, &widget.TextSegment{Text: s.text, Style: st})
	}
	if len(segs) == 0 {
		segs = []widget.RichTextSegment{&widget.TextSegment{Style: style}}
	}
	return segs
}

// flashTime is how long the message a search result opened stays marked.
const flashTime = 3 * time.Second

// flash marks message id in the history for flashTime (a newer flash replaces it).
func (md *chatMedia) flash(id string) {
	md.flashN++
	n := md.flashN
	md.flashID = id
	md.c.history.redraw()
	md.c.m.bg.Go(func() {
		if !sleepCtx(md.c.m.ctx, flashTime) {
			return
		}
		runOnUI(func() {
			if md.flashN == n {
				md.unflash()
			}
		})
	})
}

// unflash takes the mark off (its time is up, or the user moved on to another chat).
func (md *chatMedia) unflash() {
	if md.flashID == "" {
		return
	}
	md.flashID = ""
	md.c.history.redraw()
}

// flashed tells whether message id is the one marked.
func (md *chatMedia) flashed(id string) bool { return id != "" && md.flashID == id }

// searchQueryStyle is the look of a result's text that is not a match.
var searchQueryStyle = widget.RichTextStyle{ColorName: theme.ColorNameForeground, SizeName: theme.SizeNameText,
	Alignment: fyne.TextAlignLeading}
