package cache

import (
	"context"
	"strings"
)

// SearchHit is a search result ready for display: the message, an excerpt of
// its body around the matches, and where the matches are in that excerpt.
type SearchHit struct {
	Message Message
	Snippet string      // the body, or the part of it around the matches with "…" where cut
	Matches []TextRange // byte ranges of Snippet that matched, in order
}

// TextRange is a byte range [Start, End) of a string.
type TextRange struct{ Start, End int }

// Marks around matches in FTS5's snippet(): Unicode noncharacters, which no
// interchanged text contains, so they cannot be confused with the user's text.
const (
	matchOpen  = "\uFDD0"
	matchClose = "\uFDD1"
	snippetCut = "…"
	// snippetTokens is how many words an excerpt holds at most (FTS5 allows 64).
	snippetTokens = 24
)

// SearchSnippets is SearchIn with each result's excerpt and match offsets, as
// the search screen shows them. The words matched are the ones FTS5 matched
// (case and diacritics folded, prefixes), so the highlight agrees with the
// search.
func (db *DB) SearchSnippets(ctx context.Context, dialogID, text string, limit int) ([]SearchHit, error) {
	msgs, err := db.SearchIn(ctx, dialogID, text, limit)
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	args := []any{matchOpen, matchClose, snippetCut, snippetTokens, ftsQuery(text)}
	for _, m := range msgs {
		args = append(args, m.ID)
	}
	rows, err := db.r.rawQuery(ctx, `SELECT m.id, snippet(messages_fts, 0, ?, ?, ?, ?)
		FROM messages_fts JOIN messages m ON m.pk = messages_fts.rowid
		WHERE messages_fts MATCH ? AND m.id IN (?`+strings.Repeat(", ?", len(msgs)-1)+`)`, args...)
	if err != nil {
		return nil, db.read("search snippets", err)
	}
	defer rows.Close()
	snippets := map[string]string{}
	for rows.Next() {
		var id, snippet string
		if err := rows.Scan(&id, &snippet); err != nil {
			return nil, db.read("search snippets", err)
		}
		snippets[id] = snippet
	}
	if err := rows.Err(); err != nil {
		return nil, db.read("search snippets", err)
	}
	hits := make([]SearchHit, len(msgs))
	for i, m := range msgs {
		hits[i] = SearchHit{Message: m, Snippet: m.Body}
		marked, ok := snippets[m.ID]
		if !ok || strings.Contains(m.Body, matchOpen) || strings.Contains(m.Body, matchClose) {
			continue // a body carrying the marks themselves is shown whole, unmarked
		}
		hits[i].Snippet, hits[i].Matches = parseMarked(marked)
	}
	return hits, nil
}

// parseMarked removes the match marks from s and returns where they were.
func parseMarked(s string) (string, []TextRange) {
	var out strings.Builder
	var ranges []TextRange
	start := -1
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, matchOpen):
			start = out.Len()
			s = s[len(matchOpen):]
		case strings.HasPrefix(s, matchClose):
			if start >= 0 && out.Len() > start {
				ranges = append(ranges, TextRange{start, out.Len()})
			}
			start = -1
			s = s[len(matchClose):]
		default:
			next := len(s)
			for _, mark := range []string{matchOpen, matchClose} {
				if i := strings.Index(s, mark); i >= 0 && i < next {
					next = i
				}
			}
			out.WriteString(s[:next])
			s = s[next:]
		}
	}
	return out.String(), ranges
}
