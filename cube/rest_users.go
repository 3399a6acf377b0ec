package cube

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// usersPageSize is the most ids asked for in one GET /users/v2.
const usersPageSize = 100

// SignUp creates a user (POST /users). Without a session token the application's
// auth key authorises the call, as the official SDKs do.
func (c *Client) SignUp(ctx context.Context, u User) (*User, error) {
	r := c.request(ctx).SetBody(map[string]any{"user": u})
	if c.Token() == "" {
		r.SetHeader("CB-AuthKey", c.cfg.AuthKey)
	}
	raw, err := c.do(r, http.MethodPost, "/users")
	if err != nil {
		return nil, err
	}
	return unwrap[User](raw, "user")
}

// UsersByIDs fetches users by id (GET /users/v2?id[in][]=…), in pages of 100 ids.
// Unknown ids are simply missing from the result.
func (c *Client) UsersByIDs(ctx context.Context, ids []int64) ([]User, error) {
	var out []User
	for start := 0; start < len(ids); start += usersPageSize {
		end := min(start+usersPageSize, len(ids))
		q := url.Values{}
		for _, id := range ids[start:end] {
			q.Add("id[in][]", strconv.FormatInt(id, 10))
		}
		q.Set("limit", strconv.Itoa(end-start))
		var page UserList
		if err := c.doJSON(c.request(ctx).SetQueryParamsFromValues(q), http.MethodGet, "/users/v2", &page); err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
	}
	return out, nil
}
