package store

import (
	"context"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// DialogQuery selects the dialogs a user sees in GET /chat/Dialog.
// Listed are the dialogs the viewer occupies (groups, privates, subscribed public
// dialogs) and every broadcast dialog, minus those the viewer removed for themselves;
// a query for public dialogs only (type=4) lists every public dialog, to browse them.
type DialogQuery struct {
	UserID              int64 // required: the viewer (unless All)
	All                 bool  // the admin view: every dialog of the app, without viewer fields
	IDs                 []string
	ID                  StringFilter // _id[ne], _id[nin] (and the rest of the ops)
	Types               []int
	TypesNot            []int // type[nin], type[ne]
	Name                StringFilter
	Extensions          map[string]StringFilter // extensions[key]…; keys are plain names
	UpdatedAt           Range                   // unix milliseconds
	CreatedAt           Range                   // unix milliseconds
	LastMessageDateSent Range                   // unix seconds
	// SortField is last_message_date_sent, created_at, updated_at or name; "" means
	// the default order (see dialogOrder).
	SortField   string
	SortDesc    bool
	Limit, Skip int // Limit <= 0 = all
}

// lastActivity is when a dialog last saw a message, or was created when it has none:
// a new empty dialog sorts by its creation instead of falling below all others.
const lastActivity = `COALESCE(d.last_message_date_sent, d.created_at / 1000)`

var dialogSortColumns = map[string]string{
	"last_message_date_sent": lastActivity,
	"created_at":             "d.created_at",
	"updated_at":             "d.updated_at",
	"name":                   "d.name",
}

// dialogOrder is the ORDER BY clause. The default is the messenger order: latest
// activity first (last message, else creation), then the latest updated, then the id,
// so that pages are stable.
func dialogOrder(field string, desc bool) (string, error) {
	if field == "" {
		return lastActivity + ` DESC, d.updated_at DESC, d.id DESC`, nil
	}
	col, ok := dialogSortColumns[field]
	if !ok {
		return "", fmt.Errorf("%w: cannot sort dialogs by %q", ErrInvalidInput, field)
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return col + dir + ", d.id" + dir, nil
}

func (q DialogQuery) where() *whereBuilder {
	w := &whereBuilder{}
	w.addInStrings("d.id", q.IDs)
	types := make([]int64, len(q.Types))
	for i, t := range q.Types {
		types[i] = int64(t)
	}
	w.addInInts("d.type", types)
	if len(q.TypesNot) > 0 {
		w.add("d.type NOT IN ("+placeholders(len(q.TypesNot))+")", intArgs(q.TypesNot)...)
	}
	w.addString("d.id", q.ID)
	w.addString("d.name", q.Name)
	for key, f := range q.Extensions {
		w.addString("json_extract(d.extensions, ?)", f, `$."`+key+`"`)
	}
	w.addRange("d.updated_at", q.UpdatedAt)
	w.addRange("d.created_at", q.CreatedAt)
	w.addRange("d.last_message_date_sent", q.LastMessageDateSent)
	return w
}

// ListDialogs returns one page of the viewer's dialogs and the number of all matches.
func (s *Store) ListDialogs(ctx context.Context, q DialogQuery) ([]cube.Dialog, int, error) {
	order, err := dialogOrder(q.SortField, q.SortDesc)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.CountDialogs(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	w := q.where()
	args := append([]any{q.UserID}, w.args...)
	args = append(args, sqlLimit(q.Limit), q.Skip)
	rows, err := s.db.QueryContext(ctx, dialogSelect+` WHERE `+q.listed()+w.and()+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, 0, err
	}
	ds, err := scanDialogs(rows)
	return ds, total, err
}

// CountDialogs counts the viewer's dialogs that match q (limit and skip are ignored).
func (s *Store) CountDialogs(ctx context.Context, q DialogQuery) (int, error) {
	w := q.where()
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM dialogs d LEFT JOIN dialog_occupants o
		ON o.dialog_id = d.id AND o.user_id = ?1 WHERE `+q.listed()+w.and(),
		append([]any{q.UserID}, w.args...)...).Scan(&n)
	return n, err
}

// listedDialog is the condition of a dialog in the viewer's (?1) list; o is the viewer's
// occupant row (LEFT JOIN).
const listedDialog = `(o.user_id IS NOT NULL OR d.type = 1)
	AND NOT EXISTS (SELECT 1 FROM dialog_hidden h WHERE h.dialog_id = d.id AND h.user_id = ?1)`

// listedPublic is the condition of a listing of public dialogs only (type=4): that is
// how a client browses the public dialogs it may join, so every public dialog of the app
// is listed, joined or not (and even if the viewer once hid it, to join it again).
const listedPublic = `d.type = 4`

func (q DialogQuery) listed() string {
	switch {
	case q.All:
		return "1"
	case q.browsesPublic():
		return listedPublic
	}
	return listedDialog
}

// browsesPublic tells whether q asks for public dialogs and nothing else.
func (q DialogQuery) browsesPublic() bool {
	if len(q.Types) == 0 {
		return false
	}
	for _, t := range q.Types {
		if t != int(cube.DialogPublic) {
			return false
		}
	}
	return true
}

func intArgs(vals []int) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = int64(v)
	}
	return out
}
