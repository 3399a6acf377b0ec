package rest

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// messageControlKeys are body keys of POST /chat/Message that steer the call; every
// other key is a custom field of the message (docs/protocol.md §4.1).
var messageControlKeys = map[string]bool{
	"chat_dialog_id": true, "recipient_id": true, "message": true, "attachments": true,
	"send_to_chat": true, "markable": true, "silent": true, "save_to_history": true,
	"date_sent": true, "dialog_id": true, "moduleIdentifier": true,
	// server-owned fields a client may echo back; never custom
	"_id": true, "sender_id": true, "read_ids": true, "delivered_ids": true, "views_count": true,
	"read": true, "reactions": true, "created_at": true, "updated_at": true, "deleted": true,
}

// POST /chat/Message: {chat_dialog_id | recipient_id, message, attachments (array or
// index-keyed object), send_to_chat, markable, silent, custom keys…}. The message is
// stored through the same path as chat messages (last message, unread counts), chat
// alerts are recorded (unless silent=1), and with send_to_chat=1 it is also delivered
// over XMPP as the sender's message. Answers the message JSON (201); 403 in a private
// dialog whose other occupant blocks the sender (privacy_gate.go).
func (h *Handler) createMessage(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	me := rc.session.UserID
	d := h.messageDialog(w, r, p, me)
	if d == nil || h.refuseBlocked(w, r, me, privatePeer(d, me)) {
		return
	}
	m, err := newMessage(p, d, me)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	ctx := r.Context()
	if _, err := h.st.StoreChatMessage(ctx, m); err != nil {
		h.storeError(w, r, err)
		return
	}
	stored, err := h.st.Message(ctx, m.ID, me)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	h.recordAlerts(r, d, stored, p.truthy("silent"))
	if p.truthy("send_to_chat") {
		h.deliverToDialog(ctx, d, me, chatStanza(stored, p.truthy("markable"), p.truthy("silent")))
	}
	writeJSON(w, http.StatusCreated, stored)
}

// messageDialog finds the dialog of a new message, answering the error itself: by
// chat_dialog_id (the caller must be allowed to post), or by recipient_id (the private
// dialog of the pair, created when missing).
func (h *Handler) messageDialog(w http.ResponseWriter, r *http.Request, p params, me int64) *cube.Dialog {
	dialogID, _ := p.str("chat_dialog_id")
	if dialogID = strings.TrimSpace(dialogID); dialogID != "" {
		d, role := h.dialogRole(w, r, dialogID, me)
		if d == nil {
			return nil
		}
		if !role.CanPost(d.Type) {
			if role == store.RoleReader {
				writeErrors(w, http.StatusForbidden, "Only the owner and admins post to a broadcast dialog")
			} else {
				writeErrors(w, http.StatusForbidden, msgNotOccupant)
			}
			return nil
		}
		return d
	}
	rid, ok, err := p.int64At("recipient_id")
	switch {
	case err != nil:
		writeFieldError(w, http.StatusUnprocessableEntity, "recipient_id", "must be a user id")
		return nil
	case !ok:
		writeErrors(w, http.StatusUnprocessableEntity, "chat_dialog_id or recipient_id is required")
		return nil
	case rid == me || rid <= 0:
		writeFieldError(w, http.StatusUnprocessableEntity, "recipient_id", "must be another user")
		return nil
	}
	d, err := h.st.FindOrCreatePrivateDialog(r.Context(), me, rid)
	var unknown *store.UnknownUserError
	if errors.As(err, &unknown) {
		writeFieldError(w, http.StatusUnprocessableEntity, "recipient_id", "user "+strconv.FormatInt(rid, 10)+" does not exist")
		return nil
	}
	if err != nil {
		h.internalError(w, r, err)
		return nil
	}
	return d
}

// newMessage builds the message to store from the body.
func newMessage(p params, d *cube.Dialog, sender int64) (cube.Message, error) {
	m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: sender, DateSent: time.Now().Unix()}
	if d.Type == cube.DialogPrivate {
		for _, uid := range d.OccupantsIDs {
			if uid != sender {
				m.RecipientID = uid
			}
		}
	}
	if v, present := p["message"]; present && v != nil {
		s, ok := scalarString(v)
		if !ok {
			return m, errors.New("message must be text")
		}
		m.Message = s
	}
	if sent, ok, err := p.int64At("date_sent"); err != nil {
		return m, err
	} else if ok && sent > 0 {
		m.DateSent = cube.UnixAny(sent).Unix()
	}
	var err error
	if m.Attachments, err = readAttachments(p.get("attachments")); err != nil {
		return m, err
	}
	for k, v := range p {
		if messageControlKeys[k] {
			continue
		}
		if !validParamName(k) {
			return m, fmt.Errorf("custom field %q is not a valid name (letters, digits, _ and -)", k)
		}
		if m.Custom == nil {
			m.Custom = map[string]any{}
		}
		m.Custom[k] = v
	}
	if m.Message == "" && len(m.Attachments) == 0 && len(m.Custom) == 0 {
		return m, errors.New("a message needs text, attachments or custom fields")
	}
	return m, nil
}

// validParamName accepts custom keys that are also valid extraParams element names.
func validParamName(s string) bool {
	if !validFieldName(s) || strings.HasPrefix(strings.ToLower(s), "xml") {
		return false
	}
	c := s[0]
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// readAttachments accepts a JSON array (JS SDK 6) or an object keyed by index (the docs
// and Dart: {"0":{…},"1":{…}}, also form-encoded attachments[0][type]=…).
func readAttachments(v any) ([]cube.Attachment, error) {
	var items []any
	switch a := v.(type) {
	case nil:
		return nil, nil
	case []any:
		items = a
	case map[string]any:
		keys := make([]string, 0, len(a))
		for k := range a {
			if _, err := strconv.Atoi(k); err != nil {
				return nil, fmt.Errorf("attachments: key %q is not an index", k)
			}
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			x, _ := strconv.Atoi(keys[i])
			y, _ := strconv.Atoi(keys[j])
			return x < y
		})
		for _, k := range keys {
			items = append(items, a[k])
		}
	default:
		return nil, errors.New("attachments must be an array or an object keyed by index")
	}
	out := make([]cube.Attachment, 0, len(items))
	for i, item := range items {
		fields, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("attachments[%d] must be an object", i)
		}
		a, err := attachmentFrom(fields)
		if err != nil {
			return nil, fmt.Errorf("attachments[%d]: %v", i, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// attachmentFrom reads one attachment; numbers may come as strings, unknown keys go.
func attachmentFrom(f map[string]any) (cube.Attachment, error) {
	var a cube.Attachment
	text := map[string]*string{"type": &a.Type, "id": &a.ID, "uid": &a.UID, "url": &a.URL, "name": &a.Name,
		"content-type": &a.ContentType, "content_type": &a.ContentType, "data": &a.Data}
	for k, dst := range text {
		if s, ok := scalarString(f[k]); ok {
			*dst = s
		}
	}
	var err error
	num := func(k string) int64 {
		s, ok := scalarString(f[k])
		if !ok || s == "" || err != nil {
			return 0
		}
		n, perr := strconv.ParseFloat(s, 64)
		if perr != nil {
			err = fmt.Errorf("%s must be a number", k)
		}
		return int64(n)
	}
	a.Size = num("size")
	a.Width = int(num("width"))
	a.Height = int(num("height"))
	a.Duration = int(num("duration"))
	return a, err
}

// chatStanza is the XMPP form of a stored message, as if its sender had sent it with
// save_to_history=1: dialog_id and date_sent completed, attachments and custom fields in
// extraParams. deliverToDialog sets type, from and to.
func chatStanza(m cube.Message, markable, silent bool) *cube.MessageStanza {
	extra := &cube.ExtraParams{Params: cube.ParamsFromMap(m.Custom), Attachments: m.Attachments}
	extra.Set("save_to_history", "1")
	extra.Set("dialog_id", m.ChatDialogID)
	extra.Set("date_sent", strconv.FormatInt(m.DateSent, 10))
	if silent {
		extra.Set("silent", "1")
	}
	s := &cube.MessageStanza{ID: m.ID, Body: cube.Str(m.Message), Extra: extra}
	if markable {
		s.Markable = &cube.Empty{}
	}
	return s
}
