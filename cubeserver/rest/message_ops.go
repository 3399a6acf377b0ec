package rest

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// DELETE /chat/Message/{id}[,{id}…] (+ force=1 in the query or a form body). Without
// force the messages go for the caller only; with force for everyone (own messages;
// the owner and admins in groups and public dialogs; only them in broadcast), and a
// <remove/> packet reaches the dialog's participants. Answers the bulk result, for one
// id too (the JS SDK reads it as text, so JSON is fine); when a single id fails, the
// error status instead (403 not allowed, 404 unknown).
func (h *Handler) deleteMessages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	force, ok := forceFlag(w, r)
	if !ok {
		return
	}
	ids := splitList(rc.params[0])
	me := rc.session.UserID
	ctx := r.Context()
	out, err := h.st.DeleteMessages(ctx, me, ids, force)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if len(ids) == 1 {
		switch {
		case len(out.NotFound) == 1:
			writeErrors(w, http.StatusNotFound, "Message not found: "+ids[0])
			return
		case len(out.WrongPermissions) == 1:
			writeErrors(w, http.StatusForbidden, "You may not delete this message")
			return
		}
	}
	if force {
		h.announceRemovals(ctx, me, out.Deleted)
	}
	res := newBulkResult()
	for _, d := range out.Deleted {
		res.SuccessfullyDeleted.IDs = append(res.SuccessfullyDeleted.IDs, d.ID)
	}
	res.NotFound.IDs = append(res.NotFound.IDs, out.NotFound...)
	res.WrongPermissions.IDs = append(res.WrongPermissions.IDs, out.WrongPermissions...)
	writeJSON(w, http.StatusOK, res)
}

// announceRemovals sends <remove xmlns="urn:xmpp:message-delete:0" id=…/> with
// extraParams dialog_id to each dialog's participants, as the deleting user's packet.
func (h *Handler) announceRemovals(ctx context.Context, actor int64, deleted []store.DeletedMessage) {
	dialogs := map[string]*cube.Dialog{}
	for _, m := range deleted {
		d, ok := dialogs[m.DialogID]
		if !ok {
			var err error
			if d, err = h.st.Dialog(ctx, m.DialogID); err != nil {
				h.log.Warn("rest: announce removal: load dialog", "dialog", m.DialogID, "err", err)
			}
			dialogs[m.DialogID] = d
		}
		if d == nil {
			continue
		}
		h.deliverToDialog(ctx, d, actor, &cube.MessageStanza{ID: cube.NewObjectID(),
			Remove: &cube.RemoveElem{ID: m.ID}, Extra: withDialogID(d.ID)})
	}
}

// GET /chat/Message/unread?chat_dialog_ids=a,b (also "a, b" and the docs' dialogs_ids):
// {"total":N,"<dialogId>":n,…}; without ids every dialog of the caller counts. Dialogs
// the caller cannot see are left out.
func (h *Handler) unreadCounts(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	if err := checkFilterSize(q); err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	ids := append(queryList(q, "chat_dialog_ids"), queryList(q, "dialogs_ids")...)
	counts, err := h.st.UnreadCounts(r.Context(), store.DialogQuery{UserID: rc.session.UserID, IDs: ids})
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	out := make(map[string]int, len(counts)+1)
	total := 0
	for id, n := range counts {
		total += n
		if len(ids) > 0 || n > 0 {
			out[id] = n
		}
	}
	out["total"] = total
	writeJSON(w, http.StatusOK, out)
}

// POST /chat/Message/system {"recipientId":N, …any keys…}: a headline with
// moduleIdentifier=SystemNotifications from the caller to the recipient's online
// resources (nested objects become nested elements). Answers
// {"messageId","recipientId","extensionParams":{…}}.
func (h *Handler) systemMessage(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	rid, ok, err := p.int64At("recipientId")
	if err != nil || !ok || rid <= 0 {
		writeFieldError(w, http.StatusUnprocessableEntity, "recipientId", "is required: a user id")
		return
	}
	if _, err := h.st.UserByID(r.Context(), rid); err != nil {
		h.storeError(w, r, err)
		return
	}
	if h.refuseBlocked(w, r, rc.session.UserID, rid) {
		return
	}
	ext := map[string]any{}
	for k, v := range p {
		if k == "recipientId" {
			continue
		}
		if !validParamTree(k, v) {
			writeErrors(w, http.StatusUnprocessableEntity, "Parameter "+strconv.Quote(k)+" has a name that cannot be sent")
			return
		}
		ext[k] = v
	}
	id := cube.NewObjectID()
	extra := &cube.ExtraParams{Params: cube.ParamsFromMap(ext)}
	extra.Set("moduleIdentifier", cube.ModuleSystemNotifications)
	if h.notifier != nil {
		h.notifier.Deliver(rid, &cube.MessageStanza{ID: id, Type: cube.HeadlineType,
			From: cube.UserJID(rc.session.UserID, h.cfg.AppID, h.cfg.Domain),
			To:   cube.UserJID(rid, h.cfg.AppID, h.cfg.Domain), Extra: extra})
	}
	writeJSON(w, http.StatusOK, map[string]any{"messageId": id, "recipientId": rid, "extensionParams": ext})
}

// validParamTree checks a key and, for nested objects, every key below it.
func validParamTree(k string, v any) bool {
	if !validParamName(k) || strings.EqualFold(k, "moduleIdentifier") {
		return false
	}
	if m, ok := v.(map[string]any); ok {
		for ck, cv := range m {
			if !validParamTree(ck, cv) {
				return false
			}
		}
	}
	return true
}
