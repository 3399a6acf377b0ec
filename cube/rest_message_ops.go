package cube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// NewMessage is the body of POST /chat/Message: a message stored over REST (and, with
// SendToChat, also delivered over XMPP by the server).
type NewMessage struct {
	DialogID    string // chat_dialog_id, or
	RecipientID int64  // recipient_id for a private dialog found or created by the server
	Message     string
	Attachments []Attachment
	SendToChat  bool
	Markable    bool
	Custom      map[string]any // extra top-level keys, returned in Message.Custom
}

// body renders the documented form: attachments as an object keyed by index.
func (m NewMessage) body() (map[string]any, error) {
	if m.DialogID == "" && m.RecipientID <= 0 {
		return nil, errors.New("cube: a message needs a dialog id or a recipient id")
	}
	if m.Message == "" && len(m.Attachments) == 0 {
		return nil, errors.New("cube: a message needs a text or an attachment")
	}
	b := map[string]any{}
	for k, v := range m.Custom {
		if messageKnownKeys[k] || k == "send_to_chat" || k == "markable" {
			return nil, fmt.Errorf("cube: custom parameter %q is reserved", k)
		}
		b[k] = v
	}
	if m.DialogID != "" {
		b["chat_dialog_id"] = m.DialogID
	} else {
		b["recipient_id"] = m.RecipientID
	}
	if m.Message != "" {
		b["message"] = m.Message
	}
	if len(m.Attachments) > 0 {
		byIndex := make(map[string]Attachment, len(m.Attachments))
		for i, a := range m.Attachments {
			byIndex[strconv.Itoa(i)] = a
		}
		b["attachments"] = byIndex
	}
	if m.SendToChat {
		b["send_to_chat"] = 1
	}
	if m.Markable {
		b["markable"] = 1
	}
	return b, nil
}

// CreateMessage stores a message over REST (POST /chat/Message) and returns it.
func (c *Client) CreateMessage(ctx context.Context, m NewMessage) (*Message, error) {
	body, err := m.body()
	if err != nil {
		return nil, err
	}
	var out Message
	if err := c.doJSON(c.request(ctx).SetBody(body), http.MethodPost, "/chat/Message", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteMessages deletes messages for the current user, or for everybody with force
// (then the server also sends <remove/> to the participants). An empty 2xx body, which
// some servers send, means every id was deleted.
func (c *Client) DeleteMessages(ctx context.Context, ids []string, force bool) (*BulkDeleteResult, error) {
	return c.bulkDelete(ctx, "/chat/Message/", ids, force)
}

// UnreadCount returns the user's unread messages in total and per dialog
// (GET /chat/Message/unread). No dialog ids = every dialog; the per-dialog map then
// holds what the server chose to list.
func (c *Client) UnreadCount(ctx context.Context, dialogIDs []string) (total int, perDialog map[string]int, err error) {
	r := c.request(ctx)
	if len(dialogIDs) > 0 {
		r.SetQueryParam("chat_dialog_ids", strings.Join(dialogIDs, ","))
	}
	var out map[string]json.Number
	if err := c.doJSON(r, http.MethodGet, "/chat/Message/unread", &out); err != nil {
		return 0, nil, err
	}
	perDialog = map[string]int{}
	for k, v := range out {
		n, err := strconv.Atoi(v.String())
		if err != nil {
			return 0, nil, fmt.Errorf("cube: unread count of %q is %q", k, v)
		}
		if k == "total" {
			total = n
		} else {
			perDialog[k] = n
		}
	}
	return total, perDialog, nil
}

// CountMessages counts a dialog's messages that match f (GET /chat/Message?count=1);
// paging and sorting are ignored, and nothing is marked read.
func (c *Client) CountMessages(ctx context.Context, f MessageFilter) (int, error) {
	if f.DialogID == "" {
		return 0, errors.New("cube: CountMessages needs a dialog id")
	}
	f.MarkAsRead = false
	q := f.query()
	for _, k := range []string{"limit", "skip", "sort_asc", "sort_desc"} {
		q.Del(k)
	}
	q.Set("count", "1")
	raw, err := c.do(c.request(ctx).SetQueryParamsFromValues(q), http.MethodGet, "/chat/Message")
	if err != nil {
		return 0, err
	}
	return readCount(raw)
}

// SystemMessageResult is the answer of POST /chat/Message/system.
type SystemMessageResult struct {
	MessageID       string         `json:"messageId"`
	RecipientID     int64          `json:"recipientId"`
	ExtensionParams map[string]any `json:"extensionParams"`
}

// SendSystemMessage asks the server to send a system message (an XMPP headline with
// moduleIdentifier SystemNotifications) to a user (POST /chat/Message/system). Values
// are strings or nested objects.
func (c *Client) SendSystemMessage(ctx context.Context, recipientID int64, params map[string]any) (*SystemMessageResult, error) {
	if recipientID <= 0 {
		return nil, errors.New("cube: a system message needs a recipient id")
	}
	body := map[string]any{}
	for k, v := range params {
		if k == "recipientId" {
			return nil, errors.New(`cube: system message parameter "recipientId" is reserved`)
		}
		body[k] = v
	}
	body["recipientId"] = recipientID
	var out SystemMessageResult
	if err := c.doJSON(c.request(ctx).SetBody(body), http.MethodPost, "/chat/Message/system", &out); err != nil {
		return nil, err
	}
	return &out, nil
}
