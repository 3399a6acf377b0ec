package rest

import (
	"errors"
	"net/http"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// forceFlag reads force=1 from the query (Dart, docs) or the body (the JS SDK sends a
// form-encoded DELETE body); ok=false means the answer (a body error) has been written.
func forceFlag(w http.ResponseWriter, r *http.Request) (force, ok bool) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return false, false
	}
	return isTrue(r.URL.Query(), "force") || p.truthy("force"), true
}

// DELETE /chat/Dialog/{id}[,{id}…] (+ force=1). Without force the dialog goes for the
// caller only; with force for everyone (owner only; either party of a private dialog).
// One id answers an empty 200 (the SDK reads it as text) or the error; several ids
// answer the bulk result, which the SDK parses as JSON.
func (h *Handler) deleteDialogs(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	force, ok := forceFlag(w, r)
	if !ok {
		return
	}
	ids := splitList(rc.params[0])
	me := rc.session.UserID
	if len(ids) == 1 {
		if err := h.st.DeleteDialog(r.Context(), ids[0], me, force); err != nil {
			h.storeError(w, r, err)
			return
		}
		writeEmpty(w)
		return
	}
	res := newBulkResult()
	for _, id := range ids {
		err := h.st.DeleteDialog(r.Context(), id, me, force)
		switch {
		case err == nil:
			res.SuccessfullyDeleted.IDs = append(res.SuccessfullyDeleted.IDs, id)
		case errors.Is(err, store.ErrNotFound):
			res.NotFound.IDs = append(res.NotFound.IDs, id)
		case errors.Is(err, store.ErrNotOccupant), errors.Is(err, store.ErrForbidden):
			res.WrongPermissions.IDs = append(res.WrongPermissions.IDs, id)
		default:
			h.internalError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, res)
}

// DELETE /chat/Dialog/clearHistory/{id} (+ force=1): the history goes for the caller,
// or for everyone with force (owner and admins; either party of a private dialog).
// Empty 200 (text-typed in the SDK).
func (h *Handler) clearHistory(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	force, ok := forceFlag(w, r)
	if !ok {
		return
	}
	if err := h.st.ClearHistory(r.Context(), rc.params[0], rc.session.UserID, force); err != nil {
		h.storeError(w, r, err)
		return
	}
	writeEmpty(w)
}

// newBulkResult has empty (not null) id lists, as the documented example shows.
func newBulkResult() cube.BulkDeleteResult {
	return cube.BulkDeleteResult{
		SuccessfullyDeleted: cube.IDList{IDs: []string{}},
		NotFound:            cube.IDList{IDs: []string{}},
		WrongPermissions:    cube.IDList{IDs: []string{}},
	}
}
