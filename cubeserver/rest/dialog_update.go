package rest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// maxExtensions is how many custom fields a dialog keeps (docs/protocol.md §3.2).
const maxExtensions = 3

// PUT /chat/Dialog/{id}: name, description, photo, extensions (null resets),
// permissions, and push_all / pull_all of occupants_ids, admins_ids and
// pinned_messages_ids; the role rules live in store.UpdateDialog. Answers the dialog.
func (h *Handler) updateDialog(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	c, err := dialogChanges(p)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if h.refuseBlocked(w, r, rc.session.UserID, c.PushOccupants...) {
		return
	}
	h.applyDialogChanges(w, r, rc, c)
}

// PUT /chat/Dialog/{id}/admins with {"push_all":{"admins_ids":[…]}} or pull_all.
func (h *Handler) updateAdmins(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	var c store.DialogChanges
	if c.PushAdmins, err = nested(p, "push_all").idList("admins_ids"); err == nil {
		c.PullAdmins, err = nested(p, "pull_all").idList("admins_ids")
	}
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if len(c.PushAdmins)+len(c.PullAdmins) == 0 {
		writeErrors(w, http.StatusUnprocessableEntity, "Send push_all or pull_all with admins_ids")
		return
	}
	h.applyDialogChanges(w, r, rc, c)
}

func (h *Handler) applyDialogChanges(w http.ResponseWriter, r *http.Request, rc *reqCtx, c store.DialogChanges) {
	dialogID := rc.params[0]
	d, err := h.st.UpdateDialog(r.Context(), dialogID, rc.session.UserID, c)
	if err != nil {
		h.storeError(w, r, err)
		return
	}
	writeDialog(w, http.StatusOK, d)
}

// nested returns the object under key as params (empty when missing).
func nested(p params, key string) params {
	if m, ok := p.get(key).(map[string]any); ok {
		return params(m)
	}
	return params{}
}

// dialogChanges reads an update body; unknown keys are ignored, as the API does.
func dialogChanges(p params) (store.DialogChanges, error) {
	var c store.DialogChanges
	text := func(key string) (*string, error) {
		v, present := p[key]
		if !present {
			return nil, nil
		}
		if v == nil {
			empty := ""
			return &empty, nil
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, fmt.Errorf("%s must be a string", key)
		}
		return &s, nil
	}
	var err error
	if c.Name, err = text("name"); err != nil {
		return c, err
	}
	if c.Name != nil {
		trimmed := strings.TrimSpace(*c.Name)
		if trimmed == "" {
			return c, fmt.Errorf("name cannot be empty")
		}
		c.Name = &trimmed
	}
	if c.Description, err = text("description"); err != nil {
		return c, err
	}
	if c.Photo, err = text("photo"); err != nil {
		return c, err
	}
	if err := readExtensions(p, &c); err != nil {
		return c, err
	}
	if _, ok := p.str("permissions", "allow_preview"); ok {
		allow := p.truthy("permissions", "allow_preview")
		c.AllowPreview = &allow
	}
	push, pull := nested(p, "push_all"), nested(p, "pull_all")
	if c.PushOccupants, err = push.idList("occupants_ids"); err != nil {
		return c, err
	}
	if c.PullOccupants, err = pull.idList("occupants_ids"); err != nil {
		return c, err
	}
	if c.PushAdmins, err = push.idList("admins_ids"); err != nil {
		return c, err
	}
	if c.PullAdmins, err = pull.idList("admins_ids"); err != nil {
		return c, err
	}
	if c.PushPinned, err = push.stringList("pinned_messages_ids"); err != nil {
		return c, err
	}
	c.PullPinned, err = pull.stringList("pinned_messages_ids")
	return c, err
}

// readExtensions reads extensions: an object of at most maxExtensions fields (values
// cast to strings), or null, which resets them.
func readExtensions(p params, c *store.DialogChanges) error {
	v, present := p["extensions"]
	switch ext := v.(type) {
	case nil:
		c.ResetExtensions = present
		return nil
	case map[string]any:
		if len(ext) > maxExtensions {
			return fmt.Errorf("extensions take at most %d fields", maxExtensions)
		}
		c.Extensions = map[string]string{}
		for k, v := range ext {
			if !validFieldName(k) {
				return fmt.Errorf("extensions: %q is not a valid field name", k)
			}
			s, ok := scalarString(v)
			if !ok && v != nil {
				return fmt.Errorf("extensions.%s must be a string", k)
			}
			c.Extensions[k] = s
		}
		return nil
	}
	return fmt.Errorf("extensions must be an object or null")
}

// validFieldName accepts the plain names used for extensions: letters, digits, _ and -.
func validFieldName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// stringList reads a list of ids given as a JSON array or a comma-separated string.
func (p params) stringList(key string) ([]string, error) {
	switch v := p.get(key).(type) {
	case nil:
		return nil, nil
	case []any:
		var out []string
		for _, e := range v {
			s, ok := scalarString(e)
			if !ok {
				return nil, fmt.Errorf("%s must hold strings", key)
			}
			out = append(out, splitList(s)...)
		}
		return out, nil
	default:
		s, ok := scalarString(v)
		if !ok {
			return nil, fmt.Errorf("%s must be a list", key)
		}
		return splitList(s), nil
	}
}

// POST /chat/Dialog/{id}/subscribe: join a public dialog; answers the dialog.
func (h *Handler) subscribe(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	d, err := h.st.Subscribe(r.Context(), rc.params[0], rc.session.UserID)
	if err != nil {
		h.storeError(w, r, err)
		return
	}
	writeDialog(w, http.StatusOK, d)
}

// DELETE /chat/Dialog/{id}/subscribe: leave a public dialog; empty 200 (text-typed).
func (h *Handler) unsubscribe(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if err := h.st.Unsubscribe(r.Context(), rc.params[0], rc.session.UserID); err != nil {
		h.storeError(w, r, err)
		return
	}
	writeEmpty(w)
}

// GET /chat/Dialog/{id}/occupants?limit&skip: the occupants (subscribers of a public
// dialog) as flat users, {"items":[user…]}, for occupants only.
func (h *Handler) listOccupants(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	dialogID := rc.params[0]
	if d, _ := h.memberDialog(w, r, dialogID, rc.session.UserID); d == nil {
		return
	}
	limit, skip, err := page(r.URL.Query(), 100, 100)
	if err != nil {
		writeErrors(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	ids, err := h.st.DialogSubscribers(r.Context(), dialogID, limit, skip)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	users := []cube.User{}
	if len(ids) > 0 {
		found, _, err := h.st.ListUsers(r.Context(), store.UserQuery{IDs: ids})
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		// Keep the join order of the page.
		slices.SortFunc(found, func(a, b cube.User) int { return slices.Index(ids, a.ID) - slices.Index(ids, b.ID) })
		users = found
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": usersOut(users), "limit": limit, "skip": skip})
}

// notificationsBody is {"notifications":{"enabled":1}}.
type notificationsBody struct {
	Notifications struct {
		Enabled int `json:"enabled"`
	} `json:"notifications"`
}

// GET /chat/Dialog/{id}/notifications: whether the caller gets chat alerts here.
func (h *Handler) getNotifications(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	dialogID, me := rc.params[0], rc.session.UserID
	if d, _ := h.memberDialog(w, r, dialogID, me); d == nil {
		return
	}
	enabled, err := h.st.DialogNotificationsEnabled(r.Context(), dialogID, me)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeNotifications(w, enabled)
}

// PUT /chat/Dialog/{id}/notifications with {"enabled":1|0} (also "1", true, or
// wrapped in "notifications"); answers the same shape as GET.
func (h *Handler) setNotifications(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := readBody(w, r)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	raw, ok := p.str("enabled")
	path := []string{"enabled"}
	if !ok {
		raw, ok = p.str("notifications", "enabled")
		path = []string{"notifications", "enabled"}
	}
	if !ok {
		writeFieldError(w, http.StatusUnprocessableEntity, "enabled", "is required: 1 or 0")
		return
	}
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "0", "false", "1", "true":
	default:
		writeFieldError(w, http.StatusUnprocessableEntity, "enabled", "must be 1 or 0")
		return
	}
	enabled := p.truthy(path...)
	dialogID, me := rc.params[0], rc.session.UserID
	if d, _ := h.memberDialog(w, r, dialogID, me); d == nil {
		return
	}
	if err := h.st.SetDialogNotifications(r.Context(), dialogID, me, enabled); err != nil {
		h.storeError(w, r, err)
		return
	}
	writeNotifications(w, enabled)
}

func writeNotifications(w http.ResponseWriter, enabled bool) {
	var b notificationsBody
	if enabled {
		b.Notifications.Enabled = 1
	}
	writeJSON(w, http.StatusOK, b)
}
