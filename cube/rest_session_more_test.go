package cube

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

func TestIsSessionExpired(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"expired", parseError(401, []byte(`{"errors":{"base":["Required session does not exist"]}}`)), true},
		{"wrapped", fmt.Errorf("sync: %w", parseError(401, []byte(`{"errors":["Required session does not exist"]}`))), true},
		{"other 401", parseError(401, []byte(`{"errors":["Unauthorized"]}`)), false},
		{"same text, other status", parseError(422, []byte(`{"errors":{"base":["Required session does not exist"]}}`)), false},
		{"not a REST error", fmt.Errorf("Required session does not exist"), false},
		{"nil", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsSessionExpired(tc.err); got != tc.want {
				t.Fatalf("IsSessionExpired = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSessionCalls(t *testing.T) {
	c, requests := recorder(t, func(r *http.Request) string { return "" })
	c.SetToken("tok")
	ctx := context.Background()
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Token() != "tok" {
		t.Fatal("logout must keep the (now application) session token")
	}
	if err := c.DeleteSession(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Token() != "" {
		t.Fatal("DeleteSession must forget the token")
	}
	reqs := requests()
	if len(reqs) != 2 || reqs[0].Method != "DELETE" || reqs[0].Path != "/login" || reqs[1].Path != "/session" || reqs[1].Header.Get("CB-Token") != "tok" {
		t.Fatalf("requests: %+v", reqs)
	}
}

func TestGetSessionAndExpiredDelete(t *testing.T) {
	c, _ := recorder(t, func(r *http.Request) string {
		if r.Method == http.MethodGet {
			return `{"session":{"id":3,"user_id":9,"token":"tok","application_id":1}}`
		}
		return ""
	})
	s, err := c.GetSession(context.Background())
	if err != nil || s.UserID != 9 || s.Token != "tok" {
		t.Fatalf("GetSession: %+v %v", s, err)
	}

	gone, _ := statusServer(t, 401, `{"errors":{"base":["Required session does not exist"]}}`)
	gone.SetToken("old")
	if err := gone.DeleteSession(context.Background()); err != nil || gone.Token() != "" {
		t.Fatalf("deleting an expired session: %v, token %q", err, gone.Token())
	}
	if _, err := gone.GetSession(context.Background()); !IsSessionExpired(err) {
		t.Fatalf("GetSession on an expired token: %v", err)
	}
}
