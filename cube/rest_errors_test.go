package cube

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestParseError(t *testing.T) {
	cases := []struct {
		name string
		body string
		want []string
	}{
		{"object with base and fields", `{"errors":{"login":["has already been taken"],"base":["base msg"],"email":["is invalid","is too short"]}}`,
			[]string{"base msg", "email is invalid", "email is too short", "login has already been taken"}},
		{"array", `{"errors":["Unauthorized","Token is required"]}`, []string{"Unauthorized", "Token is required"}},
		{"session expired", `{"errors":{"base":["Required session does not exist"]}}`, []string{"Required session does not exist"}},
		{"not json", `<html>bad gateway</html>`, nil},
		{"empty", ``, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := parseError(422, []byte(tc.body))
			if e.Status != 422 || string(e.Body) != tc.body || !reflect.DeepEqual(e.Messages, tc.want) {
				t.Fatalf("got %+v, want messages %q", e, tc.want)
			}
			if e.Error() == "" {
				t.Fatal("empty error text")
			}
		})
	}
}

func TestNon2xxBecomesError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"errors":{"login":["has already been taken"]}}`)
	}))
	defer srv.Close()
	c := NewClient(Config{AppID: 1, AuthKey: "AK", APIURL: srv.URL})
	_, err := c.SignUp(context.Background(), User{Login: "john", Password: "password1"})
	if !IsStatus(err, 422) || IsStatus(err, 401) {
		t.Fatalf("IsStatus wrong for %v", err)
	}
	if got := err.Error(); got != "cube: HTTP 422: login has already been taken" {
		t.Fatalf("error text %q", got)
	}
	if IsStatus(fmt.Errorf("other"), 422) {
		t.Fatal("a plain error has no status")
	}
}
