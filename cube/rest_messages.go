package cube

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MessageFilter selects messages of one dialog for GET /chat/Message.
type MessageFilter struct {
	DialogID                                         string
	DateSentGT, DateSentGTE, DateSentLT, DateSentLTE int64     // unix seconds; 0 = not sent
	IDIn                                             []string  // _id[in]
	SenderID                                         int64     // 0 = any sender
	UpdatedAtGT, UpdatedAtGTE                        time.Time // edits, reactions, reads; unix seconds on the wire
	SortAsc, SortDesc                                string    // e.g. "date_sent"
	Limit, Skip                                      int
	MarkAsRead                                       bool // false sends mark_as_read=0 (background sync)
}

// MessageUpdate is the body of PUT /chat/Message[/{ids}].
type MessageUpdate struct {
	Read, Delivered bool
	Message         *string
}

// query renders the filter. mark_as_read is always explicit: the server's default
// marks everything read, which would wipe the user's unread counts during sync.
func (f MessageFilter) query() url.Values {
	q := url.Values{}
	q.Set("chat_dialog_id", f.DialogID)
	setInt64(q, "date_sent[gt]", f.DateSentGT)
	setInt64(q, "date_sent[gte]", f.DateSentGTE)
	setInt64(q, "date_sent[lt]", f.DateSentLT)
	setInt64(q, "date_sent[lte]", f.DateSentLTE)
	if len(f.IDIn) > 0 {
		q.Set("_id[in]", strings.Join(f.IDIn, ","))
	}
	setInt64(q, "sender_id", f.SenderID)
	setUnix(q, "updated_at[gt]", f.UpdatedAtGT)
	setUnix(q, "updated_at[gte]", f.UpdatedAtGTE)
	setPaging(q, f.Limit, f.Skip, f.SortAsc, f.SortDesc)
	if f.MarkAsRead {
		q.Set("mark_as_read", "1")
	} else {
		q.Set("mark_as_read", "0")
	}
	return q
}

// ListMessages lists messages of a dialog (GET /chat/Message).
func (c *Client) ListMessages(ctx context.Context, f MessageFilter) (*MessageList, error) {
	if f.DialogID == "" {
		return nil, errors.New("cube: ListMessages needs a dialog id")
	}
	var out MessageList
	if err := c.doJSON(c.request(ctx).SetQueryParamsFromValues(f.query()), http.MethodGet, "/chat/Message", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateMessages marks messages read or delivered, or edits their text
// (PUT /chat/Message/{ids}); no ids = every message of the dialog.
func (c *Client) UpdateMessages(ctx context.Context, dialogID string, ids []string, u MessageUpdate) error {
	if dialogID == "" {
		return errors.New("cube: UpdateMessages needs a dialog id")
	}
	if !u.Read && !u.Delivered && u.Message == nil {
		return errors.New("cube: UpdateMessages has nothing to update")
	}
	body := map[string]any{"chat_dialog_id": dialogID}
	if u.Read {
		body["read"] = 1
	}
	if u.Delivered {
		body["delivered"] = 1
	}
	if u.Message != nil {
		body["message"] = *u.Message
	}
	path := "/chat/Message"
	if len(ids) > 0 {
		escaped := make([]string, len(ids))
		for i, id := range ids {
			escaped[i] = url.PathEscape(id)
		}
		path += "/" + strings.Join(escaped, ",")
	}
	_, err := c.do(c.request(ctx).SetBody(body), http.MethodPut, path)
	return err
}
