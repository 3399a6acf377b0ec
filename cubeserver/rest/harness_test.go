package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

const (
	testAppID  = 7
	testKey    = "test-auth-key"
	testSecret = "test-auth-secret"
)

// env is one REST server over real HTTP with a fresh store.
type env struct {
	t   *testing.T
	srv *httptest.Server
	st  *store.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvConfig(t, testConfig(), nil)
}

// testConfig is the handler configuration the test envs start from.
func testConfig() Config {
	return Config{AppID: testAppID, AuthKey: testKey, AuthSecret: testSecret, Domain: "localhost"}
}

// newEnvConfig serves New(cfg, a fresh store, notifier) over real HTTP.
func newEnvConfig(t *testing.T, cfg Config, notifier Notifier) *env {
	t.Helper()
	st := openTestStore(t)
	srv := httptest.NewServer(New(cfg, st, notifier))
	t.Cleanup(srv.Close) // before the store's cleanup: cleanups run last-in first-out
	return &env{t: t, srv: srv, st: st}
}

// openTestStore opens a fresh store with cheap password hashing (tests sign up many
// users), closed when the test ends.
func openTestStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SetPasswordPolicy(store.CheapPasswordPolicy()); err != nil {
		t.Fatal(err)
	}
	return st
}

// response is a finished request.
type response struct {
	status int
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends body as JSON (a string is sent as is) with the CB-Token header when token != "".
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	return e.doHeaders(method, path, map[string]string{"CB-Token": token}, body)
}

func (e *env) doHeaders(method, path string, headers map[string]string, body any) response {
	e.t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
		if !strings.HasPrefix(strings.TrimSpace(b), "{") {
			ct = "application/x-www-form-urlencoded"
		}
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, body: raw}
}

// user creates a user and returns it with a user-session token.
func (e *env) user(login string) (cube.User, string) {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.st.CreateUser(ctx, cube.User{Login: login, FullName: strings.ToUpper(login)}, login+"-pw")
	if err != nil {
		e.t.Fatal(err)
	}
	sess, err := e.st.CreateSession(ctx, store.NewSession{AppID: testAppID, UserID: u.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return u, sess.Token
}

// expect fails unless the response has the status (and, when body != "", exactly body).
func expect(t *testing.T, r response, status int, body string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if body != "" && strings.TrimSpace(string(r.body)) != body {
		t.Fatalf("body = %s, want %s", r.body, body)
	}
}

const sessionMissing = `{"errors":{"base":["Required session does not exist"]}}`
