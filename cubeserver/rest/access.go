package rest

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// Answers of the access checks, shared so that every endpoint says the same thing.
const (
	msgNotOccupant = "You are not an occupant of this dialog"
)

// dialogRole loads a dialog and the caller's role in it, answering 404 itself; nil
// means the answer has been written.
func (h *Handler) dialogRole(w http.ResponseWriter, r *http.Request, dialogID string, me int64) (*cube.Dialog, store.Role) {
	d, err := h.st.DialogFor(r.Context(), dialogID, me)
	if errors.Is(err, store.ErrNotFound) {
		writeErrors(w, http.StatusNotFound, "Dialog not found: "+dialogID)
		return nil, store.RoleNone
	}
	if err != nil {
		h.internalError(w, r, err)
		return nil, store.RoleNone
	}
	return d, store.RoleOf(d, me)
}

// occupantDialog loads a dialog the caller may read (occupants, and everyone for a
// broadcast dialog), answering 404 or 403 itself; nil means the answer has been written.
func (h *Handler) occupantDialog(w http.ResponseWriter, r *http.Request, dialogID string, userID int64) *cube.Dialog {
	d, role := h.dialogRole(w, r, dialogID, userID)
	if d == nil {
		return nil
	}
	if !role.CanRead() {
		writeErrors(w, http.StatusForbidden, msgNotOccupant)
		return nil
	}
	return d
}

// memberDialog is occupantDialog for changes: broadcast readers are refused too.
func (h *Handler) memberDialog(w http.ResponseWriter, r *http.Request, dialogID string, userID int64) (*cube.Dialog, store.Role) {
	d, role := h.dialogRole(w, r, dialogID, userID)
	if d == nil {
		return nil, role
	}
	if role < store.RoleOccupant {
		writeErrors(w, http.StatusForbidden, msgNotOccupant)
		return nil, role
	}
	return d, role
}

// storeError answers an error of a store mutation: 404 for unknown ids, 403 for role
// and membership refusals, 422 for invalid input, 500 for the rest.
func (h *Handler) storeError(w http.ResponseWriter, r *http.Request, err error) {
	var unknown *store.UnknownUserError
	switch {
	case errors.As(err, &unknown):
		writeErrors(w, http.StatusUnprocessableEntity, "User "+strconv.FormatInt(unknown.ID, 10)+" does not exist")
	case errors.Is(err, store.ErrNotFound):
		writeErrors(w, http.StatusNotFound, "Not found")
	case errors.Is(err, store.ErrNotOccupant):
		writeErrors(w, http.StatusForbidden, msgNotOccupant)
	case errors.Is(err, store.ErrForbidden):
		writeErrors(w, http.StatusForbidden, capitalize(strings.TrimPrefix(err.Error(), store.ErrForbidden.Error()+": ")))
	case errors.Is(err, store.ErrInvalidInput):
		writeErrors(w, http.StatusUnprocessableEntity, capitalize(strings.TrimPrefix(err.Error(), store.ErrInvalidInput.Error()+": ")))
	default:
		h.internalError(w, r, err)
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// present turns a stored dialog into its wire form: public dialogs count their
// subscribers instead of listing them (docs/protocol.md §3.2).
func present(d *cube.Dialog) *cube.Dialog {
	if d.Type == cube.DialogPublic {
		if d.OccupantsCount == nil {
			n := len(d.OccupantsIDs)
			d.OccupantsCount = &n
		}
		d.OccupantsIDs = []int64{}
	}
	return d
}

// writeDialog answers a dialog in its wire form.
func writeDialog(w http.ResponseWriter, status int, d *cube.Dialog) {
	writeJSON(w, status, present(d))
}
