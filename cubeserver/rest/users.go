package rest

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// POST /login upgrades the caller's session to a user session.
func (h *Handler) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	login, _ := p.str("login")
	email, _ := p.str("email")
	password, _ := p.str("password")
	u, ok := h.checkSignIn(w, r, login, email, password)
	if !ok {
		return
	}
	if err := h.st.SetSessionUser(r.Context(), rc.session.ID, u.ID); err != nil {
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userOut(u)})
}

// DELETE /login turns the caller's session back into an application session.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if err := h.st.SetSessionUser(r.Context(), rc.session.ID, 0); err != nil {
		h.internalError(w, r, err)
		return
	}
	writeEmpty(w)
}

// POST /users signs a user up: {"user":{login|email, password, full_name, …}}.
func (h *Handler) signUp(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	if _, ok := p.get("user").(map[string]any); !ok {
		writeErrors(w, http.StatusUnprocessableEntity, "user is required: {\"user\":{\"login\":…,\"password\":…}}")
		return
	}
	text := func(k string) string { s, _ := p.str("user", k); return strings.TrimSpace(s) }
	u := cube.User{
		Login: text("login"), Email: text("email"), FullName: text("full_name"), Phone: text("phone"),
		Website: text("website"), CustomData: text("custom_data"), Avatar: text("avatar"),
	}
	for _, field := range []string{"tag_list", "user_tags"} {
		tags, err := userTags(p.get("user", field))
		if err != nil {
			writeFieldError(w, http.StatusUnprocessableEntity, field, err.Error())
			return
		}
		if u.UserTags == "" {
			u.UserTags = tags
		}
	}
	for field, dst := range map[string]*int64{"external_user_id": &u.ExternalUserID, "blob_id": &u.BlobID} {
		n, _, err := p.int64At("user", field)
		if err != nil {
			writeFieldError(w, http.StatusUnprocessableEntity, field, "must be an integer")
			return
		}
		*dst = n
	}
	password, _ := p.str("user", "password")
	switch {
	case u.Login == "" && u.Email == "":
		writeErrors(w, http.StatusUnprocessableEntity, "login or email is required")
		return
	case password == "":
		writeFieldError(w, http.StatusUnprocessableEntity, "password", "can't be blank")
		return
	}
	created, err := h.st.CreateUser(r.Context(), u, password)
	switch {
	case errors.Is(err, store.ErrLoginTaken):
		writeFieldError(w, http.StatusUnprocessableEntity, "login", "has already been taken")
	case errors.Is(err, store.ErrEmailTaken):
		writeFieldError(w, http.StatusUnprocessableEntity, "email", "has already been taken")
	case errors.Is(err, store.ErrInvalidInput):
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
	case err != nil:
		h.internalError(w, r, err)
	default:
		writeJSON(w, http.StatusCreated, map[string]any{"user": userOut(created)})
	}
}

// GET /users/v2: filters id / id[in] (both list forms), login, email, login[start_with],
// full_name[start_with]; limit (default and max 100), offset/skip; sort_asc/sort_desc.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	if err := checkFilterSize(q); err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	ids, err := queryInts(q, "id")
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	limit, skip, err := page(q, 100, 100)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	field, desc := sortParam(q)
	uq := store.UserQuery{
		IDs: ids, Logins: queryStrings(q, "login"), Emails: queryStrings(q, "email"),
		LoginPrefix: q.Get("login[start_with]"), NamePrefix: q.Get("full_name[start_with]"),
		SortField: field, SortDesc: desc, Limit: limit, Skip: skip,
	}
	users, total, err := h.st.ListUsers(r.Context(), uq)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userListOut{Limit: limit, Skip: skip, TotalEntries: total, Items: usersOut(users)})
}
