package cube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-resty/resty/v2"
)

// DialogUpdate is the body of PUT /chat/Dialog/{id}. Nil and empty fields are left
// alone; Push* add to a list (push_all) and Pull* remove from it (pull_all).
type DialogUpdate struct {
	Name, Description, Photo *string
	Extensions               map[string]string // replaces the extensions (values are strings)
	ResetExtensions          bool              // sends extensions: null, which clears them
	PushOccupants            []int64
	PullOccupants            []int64
	PushAdmins               []int64
	PullAdmins               []int64
	PushPinned               []string // message ids to pin
	PullPinned               []string
}

// body renders the update; ok is false when there is nothing to change.
func (u DialogUpdate) body() (map[string]any, bool) {
	b := map[string]any{}
	setStr := func(key string, v *string) {
		if v != nil {
			b[key] = *v
		}
	}
	setStr("name", u.Name)
	setStr("description", u.Description)
	setStr("photo", u.Photo)
	if u.ResetExtensions {
		b["extensions"] = nil
	} else if u.Extensions != nil {
		b["extensions"] = u.Extensions
	}
	lists := func(occupants, admins []int64, pinned []string) map[string]any {
		m := map[string]any{}
		if len(occupants) > 0 {
			m["occupants_ids"] = occupants
		}
		if len(admins) > 0 {
			m["admins_ids"] = admins
		}
		if len(pinned) > 0 {
			m["pinned_messages_ids"] = pinned
		}
		return m
	}
	if push := lists(u.PushOccupants, u.PushAdmins, u.PushPinned); len(push) > 0 {
		b["push_all"] = push
	}
	if pull := lists(u.PullOccupants, u.PullAdmins, u.PullPinned); len(pull) > 0 {
		b["pull_all"] = pull
	}
	return b, len(b) > 0
}

// dialogPath is /chat/Dialog/{id}[/{sub}], refusing an empty id (which would address
// the collection instead of one dialog).
func dialogPath(id string, sub ...string) (string, error) {
	if id == "" {
		return "", errors.New("cube: a dialog id is required")
	}
	p := "/chat/Dialog/" + url.PathEscape(id)
	for _, s := range sub {
		p += "/" + s
	}
	return p, nil
}

// idsPath joins escaped ids with commas, the multi-id form of the API.
func idsPath(prefix string, ids []string) (string, error) {
	if len(ids) == 0 {
		return "", errors.New("cube: at least one id is required")
	}
	escaped := make([]string, len(ids))
	for i, id := range ids {
		if id == "" {
			return "", errors.New("cube: empty id in list")
		}
		escaped[i] = url.PathEscape(id)
	}
	return prefix + strings.Join(escaped, ","), nil
}

// forceQuery is the documented way to pass force=1 on DELETE (the query string).
func forceQuery(r *resty.Request, force bool) {
	if force {
		r.SetQueryParam("force", "1")
	}
}

// UpdateDialog changes a dialog (PUT /chat/Dialog/{id}) and returns it as stored.
func (c *Client) UpdateDialog(ctx context.Context, id string, u DialogUpdate) (*Dialog, error) {
	path, err := dialogPath(id)
	if err != nil {
		return nil, err
	}
	body, ok := u.body()
	if !ok {
		return nil, errors.New("cube: UpdateDialog has nothing to update")
	}
	var out Dialog
	if err := c.doJSON(c.request(ctx).SetBody(body), http.MethodPut, path, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteDialogs deletes dialogs for the current user, or for everybody with force
// (owner only). A server that answers a 2xx without a body (the single-dialog form)
// deleted every id it was given.
func (c *Client) DeleteDialogs(ctx context.Context, ids []string, force bool) (*BulkDeleteResult, error) {
	return c.bulkDelete(ctx, "/chat/Dialog/", ids, force)
}

// bulkDelete is the one DELETE {prefix}{id,id,...} call that dialogs and messages
// share: same path form, same force query, same answer shape.
func (c *Client) bulkDelete(ctx context.Context, prefix string, ids []string, force bool) (*BulkDeleteResult, error) {
	path, err := idsPath(prefix, ids)
	if err != nil {
		return nil, err
	}
	r := c.request(ctx)
	forceQuery(r, force)
	raw, err := c.do(r, http.MethodDelete, path)
	if err != nil {
		return nil, err
	}
	return readBulkDelete(raw, ids)
}

// readBulkDelete reads the bulk-delete answer; an empty body means all were deleted.
func readBulkDelete(raw []byte, ids []string) (*BulkDeleteResult, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return &BulkDeleteResult{SuccessfullyDeleted: IDList{IDs: append([]string(nil), ids...)}}, nil
	}
	var out BulkDeleteResult
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("cube: unreadable delete result: %w", err)
	}
	return &out, nil
}

// ClearHistory deletes a dialog's messages for the current user, or for everybody
// with force (DELETE /chat/Dialog/clearHistory/{id}).
func (c *Client) ClearHistory(ctx context.Context, id string, force bool) error {
	if id == "" {
		return errors.New("cube: a dialog id is required")
	}
	r := c.request(ctx)
	forceQuery(r, force)
	_, err := c.do(r, http.MethodDelete, "/chat/Dialog/clearHistory/"+url.PathEscape(id))
	return err
}

// SubscribePublicDialog joins a public dialog (POST /chat/Dialog/{id}/subscribe).
func (c *Client) SubscribePublicDialog(ctx context.Context, id string) (*Dialog, error) {
	path, err := dialogPath(id, "subscribe")
	if err != nil {
		return nil, err
	}
	var out Dialog
	if err := c.doJSON(c.request(ctx), http.MethodPost, path, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UnsubscribePublicDialog leaves a public dialog (DELETE /chat/Dialog/{id}/subscribe).
func (c *Client) UnsubscribePublicDialog(ctx context.Context, id string) error {
	path, err := dialogPath(id, "subscribe")
	if err != nil {
		return err
	}
	_, err = c.do(c.request(ctx), http.MethodDelete, path)
	return err
}

// AddAdmins makes occupants admins (owner only; PUT /chat/Dialog/{id}/admins).
func (c *Client) AddAdmins(ctx context.Context, id string, userIDs []int64) (*Dialog, error) {
	return c.changeAdmins(ctx, id, "push_all", userIDs)
}

// RemoveAdmins takes the admin role away (owner only).
func (c *Client) RemoveAdmins(ctx context.Context, id string, userIDs []int64) (*Dialog, error) {
	return c.changeAdmins(ctx, id, "pull_all", userIDs)
}

func (c *Client) changeAdmins(ctx context.Context, id, op string, userIDs []int64) (*Dialog, error) {
	path, err := dialogPath(id, "admins")
	if err != nil {
		return nil, err
	}
	if len(userIDs) == 0 {
		return nil, errors.New("cube: no user ids given")
	}
	body := map[string]any{op: map[string]any{"admins_ids": userIDs}}
	var out Dialog
	if err := c.doJSON(c.request(ctx).SetBody(body), http.MethodPut, path, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// notificationsAnswer is {"notifications":{"enabled":1}}; enabled arrives as a number,
// a string ("0") or a boolean depending on who wrote it.
type notificationsAnswer struct {
	Notifications struct {
		Enabled json.RawMessage `json:"enabled"`
	} `json:"notifications"`
}

func (a notificationsAnswer) enabled() (bool, error) {
	s := strings.Trim(strings.TrimSpace(string(a.Notifications.Enabled)), `"`)
	switch s {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, fmt.Errorf("cube: unreadable notifications setting %q", s)
}

// DialogNotifications tells whether chat alerts (pushes) are on for this dialog.
func (c *Client) DialogNotifications(ctx context.Context, id string) (bool, error) {
	path, err := dialogPath(id, "notifications")
	if err != nil {
		return false, err
	}
	var out notificationsAnswer
	if err := c.doJSON(c.request(ctx), http.MethodGet, path, &out); err != nil {
		return false, err
	}
	return out.enabled()
}

// SetDialogNotifications turns chat alerts for this dialog on or off (mute).
func (c *Client) SetDialogNotifications(ctx context.Context, id string, enabled bool) error {
	path, err := dialogPath(id, "notifications")
	if err != nil {
		return err
	}
	flag := 0
	if enabled {
		flag = 1
	}
	var out notificationsAnswer
	if err := c.doJSON(c.request(ctx).SetBody(map[string]int{"enabled": flag}), http.MethodPut, path, &out); err != nil {
		return err
	}
	if got, err := out.enabled(); err == nil && got != enabled {
		return fmt.Errorf("cube: server kept notifications enabled=%v", got)
	}
	return nil
}

// PublicDialogOccupants lists the subscribers of a public dialog
// (GET /chat/Dialog/{id}/occupants). Items may be flat users (docs) or {"user":{…}}
// (Dart); both are read.
func (c *Client) PublicDialogOccupants(ctx context.Context, id string, limit, skip int) ([]User, error) {
	path, err := dialogPath(id, "occupants")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	setPaging(q, limit, skip, "", "")
	var out struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := c.doJSON(c.request(ctx).SetQueryParamsFromValues(q), http.MethodGet, path, &out); err != nil {
		return nil, err
	}
	users := make([]User, 0, len(out.Items))
	for _, raw := range out.Items {
		u, err := unwrap[User](raw, "user")
		if err != nil {
			return nil, err
		}
		users = append(users, *u)
	}
	return users, nil
}

// CountDialogs counts the dialogs that match f (GET /chat/Dialog?count=1); paging and
// sorting are ignored.
func (c *Client) CountDialogs(ctx context.Context, f DialogFilter) (int, error) {
	q := f.query()
	for _, k := range []string{"limit", "skip", "sort_asc", "sort_desc"} {
		q.Del(k)
	}
	q.Set("count", "1")
	raw, err := c.do(c.request(ctx).SetQueryParamsFromValues(q), http.MethodGet, "/chat/Dialog")
	if err != nil {
		return 0, err
	}
	return readCount(raw)
}

// readCount reads {"items":{"count":N}} (documented) or {"count":N}.
func readCount(raw []byte) (int, error) {
	var wrapped CountResult
	if err := json.Unmarshal(raw, &wrapped); err == nil && wrapped.Items.Count > 0 {
		return wrapped.Items.Count, nil
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(raw, &env); err != nil {
		return 0, fmt.Errorf("cube: unreadable count: %w", err)
	}
	if items, ok := env["items"]; ok {
		env = nil
		if err := json.Unmarshal(items, &env); err != nil {
			return 0, fmt.Errorf("cube: unreadable count: %s", raw)
		}
	}
	n, ok := env["count"]
	if !ok {
		return 0, fmt.Errorf("cube: no count in %s", raw)
	}
	count, err := strconv.Atoi(strings.Trim(string(n), `"`))
	if err != nil {
		return 0, fmt.Errorf("cube: unreadable count %s", n)
	}
	return count, nil
}
