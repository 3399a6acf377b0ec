package cube

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The account calls of the Users API (docs/protocol.md §2.5): a user changes or deletes
// their own account; anyone signed in reads a user by id and who is online.

// UserUpdate is a profile change for UpdateUser. Nil fields stay as they are; a
// pointer to "" clears the field (sent as null, as the JS SDK does).
type UserUpdate struct {
	FullName, Login, Email, Phone, Website, CustomData, Avatar *string
	Tags                                                       *[]string // tag_list
	BlobID                                                     *int64
	// Password sets a new password; OldPassword must then be the current one. The
	// server ends the user's other sessions and chat connections.
	Password, OldPassword string
}

// MarshalJSON writes the fields that are set, cleared ones as null.
func (u UserUpdate) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range map[string]*string{"full_name": u.FullName, "login": u.Login, "email": u.Email,
		"phone": u.Phone, "website": u.Website, "custom_data": u.CustomData, "avatar": u.Avatar} {
		switch {
		case v == nil:
		case *v == "":
			m[k] = nil
		default:
			m[k] = *v
		}
	}
	if u.Tags != nil {
		m["tag_list"] = *u.Tags
	}
	if u.BlobID != nil {
		m["blob_id"] = *u.BlobID
	}
	if u.Password != "" {
		m["password"], m["old_password"] = u.Password, u.OldPassword
	}
	return json.Marshal(m)
}

// UpdateUser changes user id's profile (PUT /users/{id}); only the signed-in user
// may change their own. It returns the user as stored.
func (c *Client) UpdateUser(ctx context.Context, id int64, u UserUpdate) (*User, error) {
	raw, err := c.do(c.request(ctx).SetBody(map[string]any{"user": u}), http.MethodPut, "/users/"+strconv.FormatInt(id, 10))
	if err != nil {
		return nil, err
	}
	return unwrap[User](raw, "user")
}

// ChangePassword replaces user id's password. A wrong old one is an error that
// IsWrongOldPassword recognises. This client's session stays valid; every other
// session of the user ends.
func (c *Client) ChangePassword(ctx context.Context, id int64, oldPassword, newPassword string) error {
	if newPassword == "" {
		return errors.New("cube: the new password is empty")
	}
	_, err := c.UpdateUser(ctx, id, UserUpdate{Password: newPassword, OldPassword: oldPassword})
	return err
}

// IsWrongOldPassword tells whether err is the server refusing a password change
// because the old password is wrong or missing (422 on old_password).
func IsWrongOldPassword(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity {
		return false
	}
	for _, m := range e.Messages {
		if strings.HasPrefix(m, "old_password ") {
			return true
		}
	}
	return false
}

// DeleteUser deletes user id's account (DELETE /users/{id}); only the user may delete
// their own. Their session ends with it: the client forgets the token.
func (c *Client) DeleteUser(ctx context.Context, id int64) error {
	if _, err := c.do(c.request(ctx), http.MethodDelete, "/users/"+strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	c.SetToken("")
	return nil
}

// UserByID fetches one user (GET /users/{id}, the v1 call); an unknown id is a 404
// *Error.
func (c *Client) UserByID(ctx context.Context, id int64) (*User, error) {
	raw, err := c.do(c.request(ctx), http.MethodGet, "/users/"+strconv.FormatInt(id, 10))
	if err != nil {
		return nil, err
	}
	return unwrap[User](raw, "user")
}

// OnlineUsers lists the users connected to the chat (GET /users/online), by id, one
// page: limit ≤ 100 (0 = the server's default), skip from the start.
func (c *Client) OnlineUsers(ctx context.Context, limit, skip int) ([]User, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if skip > 0 { // offset, as the JS SDK's listOnline sends it
		q.Set("offset", strconv.Itoa(skip))
	}
	var out struct {
		Users []User `json:"users"`
	}
	if err := c.doJSON(c.request(ctx).SetQueryParamsFromValues(q), http.MethodGet, "/users/online", &out); err != nil {
		return nil, err
	}
	return out.Users, nil
}

// OnlineUsersCount is how many users are connected to the chat
// (GET /users/online?count=true).
func (c *Client) OnlineUsersCount(ctx context.Context) (int, error) {
	var out struct {
		Count int `json:"count"`
	}
	err := c.doJSON(c.request(ctx).SetQueryParam("count", "true"), http.MethodGet, "/users/online", &out)
	return out.Count, err
}

// RequestPasswordReset asks the server to mail a reset link to the account with that
// email (POST /users/password/reset). cubeserver sends no mail: it logs the request.
func (c *Client) RequestPasswordReset(ctx context.Context, email string) error {
	_, err := c.do(c.request(ctx).SetBody(map[string]any{"email": email}), http.MethodPost, "/users/password/reset")
	return err
}
