package rest

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// dialogSortAliases maps the sort names clients send to the store's: the docs' own
// example and use-chat send date_sent for dialogs (docs/protocol.md §3.3).
var dialogSortAliases = map[string]string{
	"date_sent":              "last_message_date_sent",
	"last_message_date_sent": "last_message_date_sent",
	"created_at":             "created_at",
	"updated_at":             "updated_at",
	"name":                   "name",
}

// GET /chat/Dialog lists the caller's dialogs. Without sort_asc/sort_desc the order is
// the messenger order: latest last message first (a dialog without messages counts from
// its creation), then latest updated_at, then _id (store.dialogOrder).
func (h *Handler) listDialogs(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	dq, err := dialogQuery(q, rc.session.UserID)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if isTrue(q, "count") {
		n, err := h.st.CountDialogs(r.Context(), dq)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, countAnswer(n))
		return
	}
	list, err := h.dialogPage(r.Context(), dq)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// dialogPage reads one page of dialogs in wire form, shared by the user's list and
// the admin list (which differ only in the query and in how they answer errors).
func (h *Handler) dialogPage(ctx context.Context, dq store.DialogQuery) (cube.DialogList, error) {
	items, total, err := h.st.ListDialogs(ctx, dq)
	if err != nil {
		return cube.DialogList{}, err
	}
	for i := range items {
		present(&items[i])
	}
	return cube.DialogList{TotalEntries: total, Skip: dq.Skip, Limit: dq.Limit, Items: items}, nil
}

// POST /chat/Dialog creates a dialog; the caller becomes owner and occupant. For a pair
// that already has a private dialog, that dialog is returned (200 instead of 201).
func (h *Handler) createDialog(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	nd, field, msg := h.newDialog(p, rc.session.UserID)
	if msg != "" {
		writeNewDialogError(w, field, msg)
		return
	}
	if nd.Type == cube.DialogBroadcast {
		writeErrors(w, http.StatusForbidden, "Broadcast dialogs can only be created by the administrator")
		return
	}
	// Nobody is put into a dialog with a user they block (privacy_gate.go).
	if h.refuseBlocked(w, r, rc.session.UserID, nd.OccupantIDs...) {
		return
	}
	d, created, err := h.st.CreateDialog(r.Context(), nd)
	var unknown *store.UnknownUserError
	switch {
	case errors.As(err, &unknown):
		writeFieldError(w, http.StatusUnprocessableEntity, "occupants_ids", "user "+strconv.FormatInt(unknown.ID, 10)+" does not exist")
	case errors.Is(err, store.ErrInvalidInput):
		writeErrors(w, http.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), "store: invalid input: "))
	case err != nil:
		h.internalError(w, r, err)
	default:
		writeCreatedDialog(w, d, created)
	}
}

// writeCreatedDialog answers 201 for a dialog just made, 200 for an existing one
// (a private pair's dialog is returned, not made twice).
func writeCreatedDialog(w http.ResponseWriter, d *cube.Dialog, created bool) {
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeDialog(w, status, d)
}

// writeNewDialogError answers newDialog's refusal: on the offending field, or as a
// general error when field is "".
func writeNewDialogError(w http.ResponseWriter, field, msg string) {
	if field == "" {
		writeErrors(w, http.StatusUnprocessableEntity, msg)
		return
	}
	writeFieldError(w, http.StatusUnprocessableEntity, field, msg)
}

// newDialog validates a create body; on failure it returns the offending field ("" for
// a general error) and the message.
func (h *Handler) newDialog(p params, owner int64) (nd store.NewDialog, field, msg string) {
	typ, ok, err := p.int64At("type")
	if err != nil || !ok {
		return nd, "type", "is required: 2 (group), 3 (private) or 4 (public)"
	}
	nd = store.NewDialog{Type: int(typ), OwnerID: owner}
	switch nd.Type {
	case cube.DialogBroadcast, cube.DialogGroup, cube.DialogPrivate, cube.DialogPublic, 5: // 5 = "meeting" (JS enum), kept opaque
	default:
		return nd, "type", "must be 2 (group), 3 (private) or 4 (public), got " + strconv.FormatInt(typ, 10)
	}
	if nd.OccupantIDs, err = p.idList("occupants_ids"); err != nil {
		return nd, "occupants_ids", err.Error()
	}
	if nd.AdminIDs, err = p.idList("admins_ids"); err != nil {
		return nd, "admins_ids", err.Error()
	}
	nd.Name, _ = p.str("name")
	nd.Name = strings.TrimSpace(nd.Name)
	nd.Description, _ = p.str("description")
	if photo, ok := p.str("photo"); ok && photo != "" {
		nd.Photo = &photo
	}
	nd.AllowPreview = p.truthy("permissions", "allow_preview")
	if ext, ok := p.get("extensions").(map[string]any); ok {
		nd.Extensions = map[string]string{}
		for k, v := range ext {
			s, _ := scalarString(v) // the docs: values are cast to strings
			nd.Extensions[k] = s
		}
	}
	switch nd.Type {
	case cube.DialogPrivate:
		others := 0
		for _, id := range nd.OccupantIDs {
			if id != owner {
				others++
			}
		}
		if others != 1 {
			return nd, "occupants_ids", "a private dialog needs exactly one other occupant"
		}
		nd.Name = "" // ignored for private dialogs (docs/protocol.md §3.3)
	case cube.DialogGroup:
		if len(nd.OccupantIDs) == 0 {
			return nd, "occupants_ids", "is required for a group dialog"
		}
		fallthrough
	case cube.DialogBroadcast, cube.DialogPublic:
		if nd.Name == "" {
			return nd, "name", "is required"
		}
	}
	if nd.Type != cube.DialogPrivate {
		nd.ID = cube.NewObjectID()
		nd.RoomJID = cube.RoomJID(h.cfg.AppID, nd.ID, h.cfg.Domain)
	}
	return nd, "", ""
}
