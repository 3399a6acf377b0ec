package rest

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// ChatAccounts is what the account calls need of the chat server (xmppd.Server
// implements it): who is online, and ending a user's streams. A notifier without it
// means nobody is online and there are no streams to end.
type ChatAccounts interface {
	OnlineUserIDs() []int64
	CredentialsRevoked(userID int64)
	AccountDeleted(userID int64)
}

func (h *Handler) chatAccounts() ChatAccounts {
	acc, _ := h.notifier.(ChatAccounts)
	return acc
}

// ownAccount reads the {id} of /users/{id} and checks that it is the caller: only a
// user may change or delete their own account (docs/security.md). ok=false means it
// answered.
func (h *Handler) ownAccount(w http.ResponseWriter, rc *reqCtx) (id int64, ok bool) {
	id, err := strconv.ParseInt(rc.params[0], 10, 64)
	if err != nil || id <= 0 {
		writeErrors(w, http.StatusNotFound, "Not found: no user "+rc.params[0])
		return 0, false
	}
	if id != rc.session.UserID {
		writeErrors(w, http.StatusForbidden, "Forbidden. A user may only change their own account")
		return 0, false
	}
	return id, true
}

// DELETE /users/{id}: the caller deletes their own account. What happens to their
// dialogs is store.DeleteUser's; their chat streams end with <not-authorized/>.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	id, ok := h.ownAccount(w, rc)
	if !ok {
		return
	}
	changed, err := h.st.DeleteUser(r.Context(), id)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if acc := h.chatAccounts(); acc != nil {
		acc.AccountDeleted(id)
	}
	h.log.Info("user deleted", "user", id, "dialogs_changed", len(changed))
	writeEmpty(w)
}

// GET /users/{id} (the v1 "show user"; also /users/by_login?login= and
// /users/by_email?email=, which the SDK's deprecated users.get sends): {"user":{…}}.
func (h *Handler) getUser(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	key := rc.params[0]
	q := r.URL.Query()
	var u cube.User
	var err error
	switch key {
	case "by_login":
		u, err = h.st.UserByLogin(r.Context(), q.Get("login"))
	case "by_email":
		u, err = h.st.UserByEmail(r.Context(), q.Get("email"))
	default:
		id, perr := strconv.ParseInt(key, 10, 64)
		if perr != nil || id <= 0 {
			writeErrors(w, http.StatusNotFound, "Not found: /users/"+key)
			return
		}
		u, err = h.st.UserByID(r.Context(), id)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeErrors(w, http.StatusNotFound, "User not found")
	case err != nil:
		h.internalError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"user": userOut(u)})
	}
}

// GET /users/online?limit&offset: the users with a live chat connection, {"users":[…]}
// in id order; with count=true only {"count":N} (what the SDK's getOnlineCount asks).
// Both go through the store, so an account deleted a moment ago, whose stream is still
// closing, is neither listed nor counted.
func (h *Handler) onlineUsers(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	var ids []int64
	if acc := h.chatAccounts(); acc != nil {
		ids = acc.OnlineUserIDs()
	}
	q := r.URL.Query()
	limit, skip, err := page(q, 100, 100)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	count := isTrue(q, "count")
	if count {
		limit, skip = 1, 0
	}
	users, total := []cube.User{}, 0
	if len(ids) > 0 {
		users, total, err = h.st.ListUsers(r.Context(), store.UserQuery{IDs: ids, Limit: limit, Skip: skip})
		if err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	if count {
		writeJSON(w, http.StatusOK, map[string]int{"count": total})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": usersOut(users)})
}

// POST (the SDK) or GET (the docs) /users/password/reset {"email"}: ConnectyCube mails
// a reset link. This server sends no mail: it logs the request for the operator and
// answers 200 whether or not an account has that email, so the call cannot be used to
// find out who has an account.
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	email := r.URL.Query().Get("email")
	if r.Method == http.MethodPost {
		p, err := readBody(w, r)
		if err != nil {
			writeBodyError(w, err)
			return
		}
		if s, ok := p.str("email"); ok {
			email = s
		}
	}
	if email == "" {
		writeFieldError(w, http.StatusUnprocessableEntity, "email", "can't be blank")
		return
	}
	u, err := h.st.UserByEmail(r.Context(), email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.log.Info("password reset requested for an unknown email; nothing to send", "session", sessionID(rc))
	case err != nil:
		h.internalError(w, r, err)
		return
	default:
		h.log.Warn("password reset requested; this server sends no mail: set a new password for the user by hand",
			"user", u.ID, "session", sessionID(rc))
	}
	writeEmpty(w)
}
