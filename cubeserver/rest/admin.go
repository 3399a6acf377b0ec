package rest

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// AdminKeyHeader carries Config.AdminKey on /admin requests (docs/protocol.md Appendix A).
const AdminKeyHeader = "CB-Administration-API-Key"

// adminAllowed checks the admin key; /admin is off when no key is configured.
func (h *Handler) adminAllowed(w http.ResponseWriter, r *http.Request) bool {
	key := r.Header.Get(AdminKeyHeader)
	if h.cfg.AdminKey == "" {
		writeErrors(w, http.StatusForbidden, "The admin API is disabled on this server")
		return false
	}
	if key == "" || subtle.ConstantTimeCompare([]byte(key), []byte(h.cfg.AdminKey)) != 1 {
		writeErrors(w, http.StatusForbidden, "Forbidden. Wrong or missing "+AdminKeyHeader)
		return false
	}
	return true
}

// POST /admin/chat/Dialog: creates a dialog on behalf of an owner (user_id or
// owner_id), by default a broadcast dialog (type 1), the only way to make one.
// Answers the dialog (201).
func (h *Handler) adminCreateDialog(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	owner, ok, err := p.int64At("user_id")
	if err == nil && !ok {
		owner, ok, err = p.int64At("owner_id")
	}
	if err != nil || !ok || owner <= 0 {
		writeFieldError(w, http.StatusUnprocessableEntity, "user_id", "is required: the owner's user id")
		return
	}
	if _, present := p["type"]; !present {
		p["type"] = strconv.Itoa(cube.DialogBroadcast)
	}
	nd, field, msg := h.newDialog(p, owner)
	if msg != "" {
		writeNewDialogError(w, field, msg)
		return
	}
	d, created, err := h.st.CreateDialog(r.Context(), nd)
	var unknown *store.UnknownUserError
	switch {
	case errors.As(err, &unknown):
		writeFieldError(w, http.StatusUnprocessableEntity, "user_id", "user "+strconv.FormatInt(unknown.ID, 10)+" does not exist")
	case err != nil:
		h.storeError(w, r, err)
	default:
		writeCreatedDialog(w, d, created)
	}
}

// GET /admin/chat/list: every dialog of the app (filters type, _id, updated_at,
// created_at; limit, skip), without per-user fields.
func (h *Handler) adminListDialogs(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	dq, err := dialogQuery(r.URL.Query(), 0)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	dq.All = true
	list, err := h.dialogPage(r.Context(), dq)
	if err != nil {
		h.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// GET /admin/chat/messages/list?chat_dialog_id=…&_id[lt]=…&limit=…: a dialog's
// messages, newest first, paged backwards with _id[lt].
func (h *Handler) adminListMessages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	dialogID := strings.TrimSpace(q.Get("chat_dialog_id"))
	if dialogID == "" {
		writeFieldError(w, http.StatusUnprocessableEntity, "chat_dialog_id", "is required")
		return
	}
	if _, err := h.st.Dialog(r.Context(), dialogID); err != nil {
		h.storeError(w, r, err)
		return
	}
	limit, _, err := page(q, 100, 100)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	mq := store.MessageQuery{DialogID: dialogID, IDBefore: strings.TrimSpace(q.Get("_id[lt]")), SortDesc: true, Limit: limit}
	items, err := h.st.ListMessages(r.Context(), mq)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cube.MessageList{Limit: limit, Items: items})
}

// GET /admin/alerts?user_id=N&limit=L: the recorded chat alerts (pushes), newest first;
// without user_id everyone's.
func (h *Handler) adminListAlerts(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	var userID int64
	if s := strings.TrimSpace(q.Get("user_id")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			writeFieldError(w, http.StatusUnprocessableEntity, "user_id", "must be a user id")
			return
		}
		userID = n
	}
	limit, _, err := page(q, 100, 1000)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	alerts, err := h.st.ListAlerts(r.Context(), userID, limit)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": alerts})
}
