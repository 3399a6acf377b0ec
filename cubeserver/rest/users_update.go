package rest

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cubechat/cubechat/cubeserver/store"
)

// PUT /users/{id} {"user":{…}}: the caller changes their own profile. Fields left out
// stay; a field sent as null (or "") is cleared. A new "password" needs the current one
// in "old_password"; the change ends the user's other sessions (their REST tokens, and
// their chat streams with <reset/>), keeping the caller's. The answer is {"user":{…}}.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	id, ok := h.ownAccount(w, rc)
	if !ok {
		return
	}
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	fields, ok := p.get("user").(map[string]any)
	if !ok {
		writeErrors(w, http.StatusUnprocessableEntity, "user is required: {\"user\":{\"full_name\":…}}")
		return
	}
	changes, field, err := userChanges(fields)
	if err != nil {
		writeFieldError(w, http.StatusUnprocessableEntity, field, err.Error())
		return
	}
	newPassword, _ := scalarString(fields["password"])
	oldPassword, _ := scalarString(fields["old_password"])
	if newPassword != "" && !h.checkOldPassword(w, r, id, oldPassword) {
		return
	}
	u, err := h.st.UpdateUser(r.Context(), id, changes)
	switch {
	case errors.Is(err, store.ErrLoginTaken):
		writeFieldError(w, http.StatusUnprocessableEntity, "login", "has already been taken")
		return
	case errors.Is(err, store.ErrEmailTaken):
		writeFieldError(w, http.StatusUnprocessableEntity, "email", "has already been taken")
		return
	case errors.Is(err, store.ErrInvalidInput):
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	case err != nil:
		h.internalError(w, r, err)
		return
	}
	if newPassword != "" {
		ended, err := h.st.ChangePassword(r.Context(), id, oldPassword, newPassword, rc.session.ID)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		if acc := h.chatAccounts(); acc != nil {
			acc.CredentialsRevoked(id)
		}
		h.log.Info("password changed", "user", id, "sessions_ended", ended)
		if u, err = h.st.UserByID(r.Context(), id); err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userOut(u)})
}

// checkOldPassword verifies the current password of a password change. Wrong ones count
// as failed sign-ins (LoginGuard), so the call cannot be used to guess passwords with
// a stolen token. ok=false means it answered.
func (h *Handler) checkOldPassword(w http.ResponseWriter, r *http.Request, id int64, old string) bool {
	if old == "" {
		writeFieldError(w, http.StatusUnprocessableEntity, "old_password", "is required to change the password")
		return false
	}
	keys := []string{addrKey(r), "user:" + strconv.FormatInt(id, 10)}
	if h.cfg.LoginGuard != nil && !h.cfg.LoginGuard.Allow(keys...) {
		writeErrors(w, http.StatusTooManyRequests, "Too many failed sign-in attempts; try again later")
		return false
	}
	ok, err := h.st.VerifyPassword(r.Context(), id, old)
	if err != nil {
		h.internalError(w, r, err)
		return false
	}
	if !ok {
		if h.cfg.LoginGuard != nil {
			h.cfg.LoginGuard.Failed(keys...)
		}
		writeFieldError(w, http.StatusUnprocessableEntity, "old_password", "is incorrect")
		return false
	}
	return true
}

// userChanges reads the profile fields of an update. A key that is present changes the
// field, null or "" clearing it. On a bad value it names the field.
func userChanges(f map[string]any) (c store.UserChanges, field string, err error) {
	text := func(k string) (*string, error) {
		v, present := f[k]
		if !present {
			return nil, nil
		}
		if v == nil {
			s := ""
			return &s, nil
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, errors.New("must be a string")
		}
		s = strings.TrimSpace(s)
		return &s, nil
	}
	for k, dst := range map[string]**string{"login": &c.Login, "email": &c.Email, "full_name": &c.FullName,
		"phone": &c.Phone, "website": &c.Website, "custom_data": &c.CustomData, "avatar": &c.Avatar} {
		if *dst, err = text(k); err != nil {
			return c, k, err
		}
	}
	for _, k := range []string{"tag_list", "user_tags"} {
		v, present := f[k]
		if !present || c.UserTags != nil {
			continue
		}
		tags, err := userTags(v)
		if err != nil {
			return c, k, err
		}
		c.UserTags = &tags
	}
	for k, dst := range map[string]**int64{"external_user_id": &c.ExternalUserID, "blob_id": &c.BlobID} {
		s, err := text(k)
		if err != nil || s == nil {
			if err != nil {
				return c, k, errors.New("must be an integer")
			}
			continue
		}
		n := int64(0)
		if *s != "" {
			if n, err = strconv.ParseInt(*s, 10, 64); err != nil {
				return c, k, errors.New("must be an integer")
			}
		}
		*dst = &n
	}
	if s, err := text("timezone"); err != nil || s != nil {
		n := 0
		if err == nil && *s != "" {
			n, err = strconv.Atoi(*s)
		}
		if err != nil {
			return c, "timezone", errors.New("must be an integer (minutes from UTC)")
		}
		c.Timezone = &n
	}
	return c, "", nil
}
