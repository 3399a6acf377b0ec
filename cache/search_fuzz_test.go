package cache

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// searchFuzzBodies are stored once; the fuzzer adds one body of its own per input.
var searchFuzzBodies = []string{
	"Let's meet at the café tomorrow", "the cafe was closed", "привет, как дела?", `she said "NEAR(" and * twice`,
	"party 🎉 tonight", "a OR b AND NOT c", "nothing to see", "", "Ünïcödé naïve façade", "日本語のテキスト",
	"x-ray e-mail user@example.com http://a.b/c?d=e", "tab\tand\nnewline", "O'Reilly's \"quotes\"", "100% 50/50 3.14",
}

// FuzzSearch: whatever the user types (and whatever a message says), Search never
// fails, and every row it returns contains each word of the query (folded as the
// index folds: case and diacritics; each word also matches as a prefix).
func FuzzSearch(f *testing.F) {
	for _, s := range []struct{ body, query string }{
		{"Let's meet", "meet"}, {"café", "CAFE"}, {"a OR b", "a OR b"}, {"x", `"`}, {"x", `*`}, {"NEAR(x y)", `NEAR(`},
		{"body", "body:x"}, {"x", `'); DROP TABLE messages; --`}, {"e-mail", "e-mail"}, {"naïve", "NAIVE"},
		{"\x00nul", "nul"}, {"\xff\xfe bad utf8", "bad"}, {"日本語", "日本"}, {"🎉", "🎉"}, {"AND", "AND"},
		{"x", "^x"}, {"x", "{x}"}, {"x", "x -y"}, {"col:val", "col : val"}, {strings.Repeat("word ", 200), "wor"},
	} {
		f.Add(s.body, s.query)
	}
	ctx := context.Background()
	db := openTest(f)
	for i, body := range searchFuzzBodies {
		upsert(f, db, newMsg("d1", i+1, i+1, body))
	}
	n := len(searchFuzzBodies)
	f.Fuzz(func(t *testing.T, body, query string) {
		n++
		// Stored bodies are valid UTF-8: they arrive through JSON or XML decoding,
		// which replace (JSON) or refuse (XML) anything else. FTS5 reads broken
		// sequences as arbitrary characters, so only valid text has a defined answer.
		body = strings.ToValidUTF8(body, "\uFFFD")
		upsert(t, db, newMsg("d2", n, n, body))
		for _, dialog := range []string{"", "d2"} {
			got, err := db.SearchIn(ctx, dialog, query, 0)
			if err != nil {
				t.Fatalf("SearchIn(%q, %q): %v", dialog, query, err)
			}
			for _, m := range got {
				if !containsWords(m.Body, query) {
					t.Fatalf("SearchIn(%q, %q) returned %q, which lacks a word of the query", dialog, query, m.Body)
				}
				if dialog != "" && m.DialogID != dialog {
					t.Fatalf("SearchIn(%q, %q) returned a message of dialog %q", dialog, query, m.DialogID)
				}
			}
		}
	})
}

// containsWords is the oracle: every ASCII letter/digit run of each query word (after
// folding) must start some such run of the body. It checks only ASCII runs because the
// index's Unicode tables differ from Go's in which other characters join words; it is
// a necessary condition for a correct match, so it never flags a right answer.
func containsWords(body, query string) bool {
	have := asciiRuns(body)
	for _, want := range asciiRuns(query) {
		found := false
		for _, h := range have {
			if strings.HasPrefix(h, want) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// asciiRuns folds s (decomposes, drops combining marks, lowercases) and splits it
// into runs of ASCII letters and digits; any other character separates runs.
func asciiRuns(s string) []string {
	var folded strings.Builder
	for _, r := range norm.NFKD.String(strings.ToValidUTF8(s, " ")) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		folded.WriteRune(unicode.ToLower(r))
	}
	return strings.FieldsFunc(folded.String(), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}
