package app

import (
	"fyne.io/fyne/v2/lang"

	"strings"
	"time"

	"github.com/cubechat/cubechat/cache"
)

// searchItemKind is what a row of the search results is.
type searchItemKind int

const (
	searchHeader  searchItemKind = iota // a section title ("Chats", "Messages")
	searchDialog                        // a dialog whose name matches
	searchMessage                       // a message whose text matches
)

// searchItem is one row of the search results.
type searchItem struct {
	Kind      searchItemKind
	DialogID  string
	MessageID string
	Title     string // section title, dialog name, or the message's dialog name
	Text      string // the message text (one line) for messages
	Time      string
}

// filterDialogs keeps the dialogs whose displayed name contains every word of query,
// ignoring case; an empty query keeps them all.
func filterDialogs(dialogs []cache.Dialog, query string, me int64, users map[int64]cache.User) []cache.Dialog {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return dialogs
	}
	var out []cache.Dialog
	for _, d := range dialogs {
		name := strings.ToLower(dialogTitle(d, me, users))
		match := true
		for _, w := range words {
			if !strings.Contains(name, w) {
				match = false
				break
			}
		}
		if match {
			out = append(out, d)
		}
	}
	return out
}

// searchResults lays out the results: the matching chats first, then the matching
// messages (newest first, as found), each under its section title; a message of a dialog
// that is not cached is named after its sender. Duplicate messages (a cache hit that the
// server search returned again) appear once.
func searchResults(dialogs []cache.Dialog, msgs []cache.Message, all []cache.Dialog, me int64,
	users map[int64]cache.User, now time.Time, loc *time.Location) []searchItem {
	var out []searchItem
	if len(dialogs) > 0 {
		out = append(out, searchItem{Kind: searchHeader, Title: lang.L("Chats")})
		for _, d := range dialogs {
			out = append(out, searchItem{Kind: searchDialog, DialogID: d.ID, Title: dialogTitle(d, me, users)})
		}
	}
	byID := make(map[string]cache.Dialog, len(all))
	for _, d := range all {
		byID[d.ID] = d
	}
	seen := map[string]bool{}
	header := false
	for _, m := range msgs {
		if seen[m.ID] || m.Deleted {
			continue
		}
		seen[m.ID] = true
		if !header {
			out = append(out, searchItem{Kind: searchHeader, Title: lang.L("Messages")})
			header = true
		}
		title := userName(m.SenderID, users)
		if d, ok := byID[m.DialogID]; ok {
			title = dialogTitle(d, me, users)
		}
		text := strings.Join(strings.Fields(m.Body), " ")
		if m.SenderID == me && me != 0 {
			text = lang.X("preview.you", "You: {{.Text}}", msgData{"Text": text})
		}
		out = append(out, searchItem{Kind: searchMessage, DialogID: m.DialogID, MessageID: m.ID,
			Title: title, Text: text, Time: listTime(m.SentAt, now, loc)})
	}
	return out
}

// minServerSearch is the shortest text the server's global search accepts (> 4 chars).
const minServerSearch = 5

// canSearchServer tells whether "Search on server" may be offered for text.
func canSearchServer(text string, online bool) bool {
	return online && len([]rune(strings.TrimSpace(text))) >= minServerSearch
}
