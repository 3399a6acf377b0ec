package cache

import (
	"context"
	"strings"
	"unicode"
)

// searchCandidates bounds how many matches Search orders by time: results are
// exact while a query matches at most this many messages; beyond that they are
// the newest among the most recently stored matches.
const searchCandidates = 500

// Search finds messages whose body contains every word of text (the last word
// also matches as a prefix, so results follow the user's typing), newest first, at
// most limit (DefaultPageSize when limit <= 0). It works offline over the cache.
//
// The user's text never reaches FTS5 as query syntax: each word becomes a quoted
// FTS5 string, so input such as `"`, `*`, `NEAR(` or `a OR b` is searched for
// literally. Text with no letters or digits finds nothing.
func (db *DB) Search(ctx context.Context, text string, limit int) ([]Message, error) {
	return db.SearchIn(ctx, "", text, limit)
}

// SearchIn is Search within one dialog; an empty dialogID searches them all.
func (db *DB) SearchIn(ctx context.Context, dialogID, text string, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	query := ftsQuery(text)
	if query == "" {
		return nil, nil
	}
	db.indexForSearch(ctx)
	// Ordering every match by time costs a row lookup each (a common word in a
	// 100k cache: tens of thousands). The index yields matches cheaply in storage
	// order, newest stored first, so only that many candidates are ordered by time.
	if dialogID == "" {
		return db.scanMessages(ctx, "search", `SELECT `+messageColsM+` FROM (
				SELECT rowid AS pk FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?
			) f JOIN messages m ON m.pk = f.pk
			ORDER BY m.sent_at DESC, m.arrival DESC, m.id DESC LIMIT ?`, query, max(limit, searchCandidates), limit)
	}
	return db.scanMessages(ctx, "search", `SELECT `+messageColsM+` FROM (
			SELECT messages_fts.rowid AS pk FROM messages_fts JOIN messages d ON d.pk = messages_fts.rowid
			WHERE messages_fts MATCH ? AND d.dialog_id = ? ORDER BY messages_fts.rowid DESC LIMIT ?
		) f JOIN messages m ON m.pk = f.pk
		ORDER BY m.sent_at DESC, m.arrival DESC, m.id DESC LIMIT ?`, query, dialogID, max(limit, searchCandidates), limit)
}

// ftsQuery turns user text into an FTS5 query: the words that contain a letter or
// digit, each as a string with doubled inner quotes, joined by spaces (FTS5's
// implicit AND). Only the last word is a prefix (the one being typed): a prefix
// term costs a merge of every word it starts, and the words before it are whole.
func ftsQuery(text string) string {
	var terms []string
	// NUL splits words too: FTS5 reads the query as a C string and would end it there.
	for _, word := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == 0 }) {
		if !strings.ContainsFunc(word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			continue // the tokenizer would drop it anyway; an empty phrase is a syntax error
		}
		terms = append(terms, `"`+strings.ReplaceAll(word, `"`, `""`)+`"`)
	}
	if len(terms) == 0 {
		return ""
	}
	terms[len(terms)-1] += "*"
	return strings.Join(terms, " ")
}
