package rest

import (
	"slices"
	"strconv"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestSignUp(t *testing.T) {
	e := newEnv(t)
	_, token := e.user("existing")
	newUser := map[string]any{"user": map[string]any{"login": "neo", "password": "secret1", "full_name": "Neo"}}
	tests := []struct {
		name    string
		headers map[string]string
		body    any
		status  int
		want    string
	}{
		{"with CB-AuthKey", map[string]string{"CB-AuthKey": testKey}, newUser, 201, ""},
		{"duplicate login", map[string]string{"CB-AuthKey": testKey}, newUser, 422,
			`{"errors":{"login":["has already been taken"]}}`},
		{"with a token, email only", map[string]string{"CB-Token": token},
			map[string]any{"user": map[string]any{"email": "trinity@x.io", "password": "pw"}}, 201, ""},
		{"duplicate email", map[string]string{"CB-Token": token},
			map[string]any{"user": map[string]any{"login": "t2", "email": "TRINITY@x.io", "password": "pw"}}, 422,
			`{"errors":{"email":["has already been taken"]}}`},
		{"no password", map[string]string{"CB-AuthKey": testKey},
			map[string]any{"user": map[string]any{"login": "nopw"}}, 422, `{"errors":{"password":["can't be blank"]}}`},
		{"no user object", map[string]string{"CB-AuthKey": testKey}, map[string]any{"login": "flat"}, 422, ""},
		{"wrong auth key", map[string]string{"CB-AuthKey": "nope"}, newUser, 422, `{"errors":{"base":["Unexpected auth key"]}}`},
		{"no credentials", nil, newUser, 401, sessionMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.doHeaders("POST", "/users.json", tc.headers, tc.body)
			expect(t, r, tc.status, tc.want)
			if tc.status == 201 {
				var got struct{ User cube.User }
				r.decode(t, &got)
				if got.User.ID == 0 || got.User.Password != "" {
					t.Fatalf("user = %s", r.body)
				}
			}
		})
	}
	// The new account can log in.
	r := e.do("POST", "/session", "", map[string]any{"application_id": 7, "auth_key": testKey,
		"user": map[string]any{"login": "neo", "password": "secret1"}})
	expect(t, r, 201, "")
}

func TestUsersV2Filters(t *testing.T) {
	e := newEnv(t)
	a, token := e.user("amy")
	b, _ := e.user("bob")
	c, _ := e.user("cat")
	id := func(u cube.User) string { return strconv.FormatInt(u.ID, 10) }
	tests := []struct {
		name, query string
		want        []int64
		total       int
	}{
		{"id[in][] repeated", "id[in][]=" + id(a) + "&id[in][]=" + id(c), []int64{a.ID, c.ID}, 2},
		{"id[in] comma list", "id%5Bin%5D=" + id(b) + "%2C" + id(c), []int64{b.ID, c.ID}, 2},
		{"plain id", "id=" + id(b), []int64{b.ID}, 1},
		{"login", "login=cat", []int64{c.ID}, 1},
		{"limit and offset", "limit=1&offset=1", []int64{b.ID}, 3},
		{"skip alias, sort desc", "skip=0&limit=2&sort_desc=id", []int64{c.ID, b.ID}, 3},
		{"login prefix", "login%5Bstart_with%5D=a", []int64{a.ID}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/users/v2.json?"+tc.query, token, nil)
			expect(t, r, 200, "")
			var got cube.UserList
			r.decode(t, &got)
			var ids []int64
			for _, u := range got.Items {
				ids = append(ids, u.ID)
			}
			if !slices.Equal(ids, tc.want) || got.TotalEntries != tc.total {
				t.Fatalf("ids %v total %d, want %v total %d (%s)", ids, got.TotalEntries, tc.want, tc.total, r.body)
			}
		})
	}
	expect(t, e.do("GET", "/users/v2?id=abc", token, nil), 422, "")
}
