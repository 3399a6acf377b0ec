package cube

import (
	"context"
	"net/http"
	"net/url"
)

// UserFilter selects users for ListUsers (GET /users/v2). Empty fields are not sent.
type UserFilter struct {
	Login          string // exact login
	LoginPrefix    string // login[start_with]
	FullNamePrefix string // full_name[start_with]
	Limit, Skip    int    // limit ≤ 100
}

// ListUsers finds users by login or name (GET /users/v2 with its filters), e.g.
// to start a new chat.
func (c *Client) ListUsers(ctx context.Context, f UserFilter) (*UserList, error) {
	q := url.Values{}
	if f.Login != "" {
		q.Set("login", f.Login)
	}
	if f.LoginPrefix != "" {
		q.Set("login[start_with]", f.LoginPrefix)
	}
	if f.FullNamePrefix != "" {
		q.Set("full_name[start_with]", f.FullNamePrefix)
	}
	setPaging(q, f.Limit, f.Skip, "", "")
	var page UserList
	if err := c.doJSON(c.request(ctx).SetQueryParamsFromValues(q), http.MethodGet, "/users/v2", &page); err != nil {
		return nil, err
	}
	return &page, nil
}
