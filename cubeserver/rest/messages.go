package rest

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// GET /chat/Message lists a dialog's messages for an occupant. Filters: _id, sender_id,
// date_sent (plain and gt/gte/lt/lte), updated_at; sort by date_sent (ascending by
// default, ties by _id); limit (default and max 100), skip; count=1. Unless
// mark_as_read=0, the returned messages become read by the caller.
func (h *Handler) listMessages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	dialogID := strings.TrimSpace(q.Get("chat_dialog_id"))
	if dialogID == "" {
		writeFieldError(w, http.StatusUnprocessableEntity, "chat_dialog_id", "is required")
		return
	}
	me := rc.session.UserID
	d, role := h.dialogRole(w, r, dialogID, me)
	if d == nil {
		return
	}
	if !role.CanRead() {
		if isTrue(q, "preview") && d.Permissions != nil && d.Permissions.AllowPreview {
			h.previewMessages(w, r, dialogID, me)
			return
		}
		writeErrors(w, http.StatusForbidden, msgNotOccupant)
		return
	}
	mq, err := messageQuery(q, dialogID, me)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if isTrue(q, "count") {
		n, err := h.st.CountMessages(r.Context(), mq)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, countAnswer(n))
		return
	}
	items, err := h.st.ListMessages(r.Context(), mq)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if q.Get("mark_as_read") != "0" && q.Get("mark_as_read") != "false" {
		if err := h.markReturnedRead(r, dialogID, me, items); err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, cube.MessageList{Skip: mq.Skip, Limit: mq.Limit, Items: items})
}

// previewLimit is how many of the newest messages preview=1 shows a non-member.
const previewLimit = 20

// previewMessages answers preview=1 for a dialog with permissions.allow_preview: its
// newest messages in send order; skip, limit and sort are ignored, nothing is marked.
func (h *Handler) previewMessages(w http.ResponseWriter, r *http.Request, dialogID string, me int64) {
	items, err := h.st.ListMessages(r.Context(), store.MessageQuery{DialogID: dialogID, Viewer: me,
		SortDesc: true, Limit: previewLimit})
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	slices.Reverse(items)
	writeJSON(w, http.StatusOK, cube.MessageList{Limit: previewLimit, Items: items})
}

// messageQuery reads the filters of GET /chat/Message: _id, sender_id, recipient_id,
// message (plain, ne, in, nin, ctn), attachments.type, date_sent and updated_at (plain,
// gt, gte, lt, lte, ne), sort by date_sent (ascending by default, ties by _id), limit
// (default and max 100), skip. With an updated_at filter, tombstones of messages
// deleted for everyone are included (Deleted, empty body): the catch-up after a
// reconnect learns about deletions that way.
func messageQuery(q url.Values, dialogID string, me int64) (store.MessageQuery, error) {
	if err := checkFilterSize(q); err != nil {
		return store.MessageQuery{}, err
	}
	mq := store.MessageQuery{DialogID: dialogID, Viewer: me, IDs: queryStrings(q, "_id")}
	senders, err := queryInts(q, "sender_id")
	if err == nil && len(senders) > 1 {
		err = errors.New("sender_id takes one id")
	}
	if err == nil && len(senders) == 1 {
		mq.SenderID = senders[0]
	}
	if err == nil {
		mq.DateSent, err = intRange(q, "date_sent")
	}
	if err == nil {
		mq.UpdatedAt, err = timeRange(q, "updated_at")
	}
	if err == nil {
		mq.RecipientID, err = intRange(q, "recipient_id")
	}
	if err == nil {
		mq.Limit, mq.Skip, err = page(q, 100, 100)
	}
	if err != nil {
		return mq, err
	}
	mq.Message = stringFilter(q, "message")
	mq.AttachmentType = stringFilter(q, "attachments.type")
	mq.IncludeDeleted = !mq.UpdatedAt.IsZero()
	switch field, desc := sortParam(q); field {
	case "", "date_sent", "_id", "created_at":
		mq.SortDesc = desc // all three follow the send order
	default:
		return mq, errors.New("Cannot sort messages by " + field)
	}
	return mq, nil
}

// markReturnedRead marks the others' messages among items read by me (which recomputes
// my unread count) and shows that in the answer.
func (h *Handler) markReturnedRead(r *http.Request, dialogID string, me int64, items []cube.Message) error {
	var ids []string
	for _, m := range items {
		if m.SenderID != me && !slices.Contains(m.ReadIDs, me) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	marked, err := h.st.MarkRead(r.Context(), dialogID, me, ids)
	if err != nil {
		return err
	}
	h.tellSenders(r.Context(), dialogID, me, marked, true)
	for i := range items {
		m := &items[i]
		if m.SenderID == me {
			continue
		}
		m.Read = 1
		if !slices.Contains(m.ReadIDs, me) {
			m.ReadIDs = append(m.ReadIDs, me)
		}
		if !slices.Contains(m.DeliveredIDs, me) {
			m.DeliveredIDs = append(m.DeliveredIDs, me)
		}
	}
	return nil
}

// PUT /chat/Message[/{id},{id}…] with {chat_dialog_id, read:1 | delivered:1 | message}:
// no ids means every message of the dialog. Answers an empty 200 (the SDK reads text).
func (h *Handler) updateMessages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	var ids []string
	if len(rc.params) == 1 {
		ids = splitList(rc.params[0])
	}
	me := rc.session.UserID
	dialogID, _ := p.str("chat_dialog_id")
	dialogID = strings.TrimSpace(dialogID)
	if dialogID == "" && len(ids) > 0 {
		// Tolerate clients that omit chat_dialog_id when naming messages.
		m, err := h.st.Message(r.Context(), ids[0], me)
		if err == nil {
			dialogID = m.ChatDialogID
		} else if !errors.Is(err, store.ErrNotFound) {
			h.internalError(w, r, err)
			return
		}
	}
	if dialogID == "" {
		writeFieldError(w, http.StatusUnprocessableEntity, "chat_dialog_id", "is required")
		return
	}
	if h.occupantDialog(w, r, dialogID, me) == nil {
		return
	}
	body, edit := p.str("message")
	read, delivered := p.truthy("read"), p.truthy("delivered")
	if !edit && !read && !delivered {
		writeErrors(w, http.StatusUnprocessableEntity, "Nothing to update: send read: 1, delivered: 1 or message")
		return
	}
	ctx := r.Context()
	if edit {
		err = h.st.EditMessages(ctx, dialogID, me, ids, body)
	}
	if err == nil && read {
		var marked []store.Marked
		if marked, err = h.st.MarkRead(ctx, dialogID, me, ids); err == nil {
			h.tellSenders(ctx, dialogID, me, marked, true)
		}
	}
	if err == nil && delivered && !read { // read already implies delivered
		var marked []store.Marked
		if marked, err = h.st.MarkDelivered(ctx, dialogID, me, ids); err == nil {
			h.tellSenders(ctx, dialogID, me, marked, false)
		}
	}
	switch {
	case errors.Is(err, store.ErrNotSender):
		writeErrors(w, http.StatusForbidden, "Only the sender can edit a message")
	case errors.Is(err, store.ErrNotFound):
		writeErrors(w, http.StatusNotFound, "Message not found in this dialog")
	case errors.Is(err, store.ErrInvalidInput):
		writeErrors(w, http.StatusUnprocessableEntity, "Name the messages to edit: PUT /chat/Message/{id}")
	case err != nil:
		h.internalError(w, r, err)
	default:
		writeEmpty(w)
	}
}
