package store

import (
	"context"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// SearchQuery is a global search (GET /chat/search, docs/protocol.md §6).
type SearchQuery struct {
	UserID    int64    // required: only dialogs this user may read are searched
	Text      string   // required: case-sensitive substring of message bodies and dialog names
	DialogIDs []string // empty = every readable dialog
	DateSent  Range    // unix seconds, bounds the messages
	CreatedAt Range    // unix milliseconds, bounds the dialogs
	Limit     int      // per list; <= 0 = all
}

// SearchResult holds the matches, each list at most Limit long.
type SearchResult struct {
	Dialogs  []cube.Dialog  // latest activity first
	Messages []cube.Message // newest first
}

// readableDialogs selects the ids of the dialogs user ? may read: the ones they occupy
// (members of groups and private chats, subscribers of public ones) and every broadcast
// dialog of the app (docs/protocol.md §4.2 access rules; the same set as listedDialog).
const readableDialogs = `SELECT dialog_id FROM dialog_occupants WHERE user_id = ?
	UNION ALL SELECT id FROM dialogs WHERE type = 1`

// Search finds messages and dialogs containing q.Text. Matching is by instr(), which
// compares bytes: case-sensitive, with no wildcard characters to escape. Rows are
// narrowed by an index on date (or on dialog and date) before any text is compared.
func (s *Store) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	if q.UserID <= 0 || q.Text == "" {
		return SearchResult{}, fmt.Errorf("%w: search needs a user and a text", ErrInvalidInput)
	}
	msgs, err := s.searchMessages(ctx, q)
	if err != nil {
		return SearchResult{}, fmt.Errorf("store: search messages: %w", err)
	}
	dialogs, err := s.searchDialogs(ctx, q)
	if err != nil {
		return SearchResult{}, fmt.Errorf("store: search dialogs: %w", err)
	}
	return SearchResult{Dialogs: dialogs, Messages: msgs}, nil
}

func (s *Store) searchMessages(ctx context.Context, q SearchQuery) ([]cube.Message, error) {
	w := &whereBuilder{}
	w.add("instr(m.body, ?) > 0", q.Text) // first: the cheapest test, and the most selective
	// The unary + keeps SQLite from driving the query by dialog: across all readable
	// dialogs, walking messages_sent newest first (and within the date window) touches
	// table pages in order and stops at the limit, where a per-dialog walk would visit
	// every message in random order. Named dialogs (at most 10) are driven by
	// messages_dialog_sent instead, which also takes the date window.
	w.add(`+m.dialog_id IN (`+readableDialogs+`)`, q.UserID)
	w.addInStrings("m.dialog_id", q.DialogIDs)
	// MessageQuery's conditions keep the viewer's visibility rules in one place: messages
	// they deleted for themselves and tombstones of deleted ones are never found.
	visible := MessageQuery{Viewer: q.UserID, DateSent: q.DateSent}.where()
	w.conds, w.args = append(w.conds, visible.conds...), append(w.args, visible.args...)
	args := append(w.args, sqlLimit(q.Limit))
	return s.listMessagePage(ctx, messageRowSelect+` WHERE 1`+w.and()+
		` ORDER BY m.date_sent DESC, m.rowid DESC LIMIT ?`, false, q.UserID, args...)
}

func (s *Store) searchDialogs(ctx context.Context, q SearchQuery) ([]cube.Dialog, error) {
	// The same dialogs as the viewer's list (DialogQuery): occupied or broadcast, and
	// not removed by the viewer.
	dq := DialogQuery{UserID: q.UserID, IDs: q.DialogIDs, CreatedAt: q.CreatedAt}
	w := dq.where()
	w.add("instr(d.name, ?) > 0", q.Text)
	args := append([]any{q.UserID}, w.args...)
	args = append(args, sqlLimit(q.Limit))
	rows, err := s.db.QueryContext(ctx, dialogSelect+` WHERE `+dq.listed()+w.and()+
		` ORDER BY `+lastActivity+` DESC, d.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	return scanDialogs(rows)
}
