package rest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// sign computes what SDK 3 / Dart send: HMAC of the sorted flattened k=v string.
func sign(fn func() hash.Hash, base string) string {
	mac := hmac.New(fn, []byte(testSecret))
	mac.Write([]byte(base))
	return hex.EncodeToString(mac.Sum(nil))
}

func TestCreateSessionForms(t *testing.T) {
	e := newEnv(t)
	u, _ := e.user("john")
	now := time.Now().Unix()
	ts := strconv.FormatInt(now, 10)
	signedBase := "application_id=7&auth_key=test-auth-key&nonce=4821&timestamp=" + ts +
		"&user[login]=john&user[password]=john-pw"
	tests := []struct {
		name     string
		body     any
		status   int
		wantUser int64
		wantBody string
	}{
		{"unsigned app session (SDK 6)", map[string]any{"application_id": 7, "auth_key": testKey},
			201, 0, ""},
		{"unsigned user session, nested JSON", map[string]any{"application_id": 7, "auth_key": testKey,
			"user": map[string]any{"login": "john", "password": "john-pw"}}, 201, u.ID, ""},
		{"form body with flat user[login]", "application_id=7&auth_key=test-auth-key&user%5Blogin%5D=john&user%5Bpassword%5D=john-pw",
			201, u.ID, ""},
		{"signed HMAC-SHA1, nested JSON (Dart)", map[string]any{"application_id": "7", "auth_key": testKey,
			"nonce": "4821", "timestamp": ts, "user": map[string]any{"login": "john", "password": "john-pw"},
			"signature": sign(sha1.New, signedBase)}, 201, u.ID, ""},
		{"signed HMAC-SHA256", map[string]any{"application_id": 7, "auth_key": testKey, "nonce": 99,
			"timestamp": now, "signature": sign(sha256.New,
				"application_id=7&auth_key=test-auth-key&nonce=99&timestamp="+ts)}, 201, 0, ""},
		{"replayed nonce", map[string]any{"application_id": "7", "auth_key": testKey,
			"nonce": "4821", "timestamp": ts, "user": map[string]any{"login": "john", "password": "john-pw"},
			"signature": sign(sha1.New, signedBase)}, 422, 0,
			`{"errors":{"base":["The nonce has already been used with this timestamp"]}}`},
		{"bad signature", map[string]any{"application_id": 7, "auth_key": testKey, "nonce": 1,
			"timestamp": now, "signature": sign(sha1.New, "application_id=7&auth_key=other")}, 422, 0,
			`{"errors":{"base":["Unexpected signature"]}}`},
		{"stale timestamp", map[string]any{"application_id": 7, "auth_key": testKey, "nonce": 2,
			"timestamp": now - 2*3600, "signature": sign(sha1.New, "application_id=7&auth_key=test-auth-key&nonce=2&timestamp="+
				strconv.FormatInt(now-2*3600, 10))}, 422, 0,
			`{"errors":{"base":["Timestamp differs from the server time by more than 60 minutes"]}}`},
		{"wrong auth key", map[string]any{"application_id": 7, "auth_key": "nope"}, 422, 0,
			`{"errors":{"base":["Unexpected auth_key"]}}`},
		{"unknown application", map[string]any{"application_id": 8, "auth_key": testKey}, 422, 0,
			`{"errors":{"base":["Unknown application_id 8"]}}`},
		{"wrong password", map[string]any{"application_id": 7, "auth_key": testKey,
			"user": map[string]any{"login": "john", "password": "nope"}}, 401, 0, `{"errors":["Unauthorized"]}`},
		{"unknown user", map[string]any{"application_id": 7, "auth_key": testKey,
			"user": map[string]any{"email": "who@x.io", "password": "x"}}, 401, 0, `{"errors":["Unauthorized"]}`},
		{"malformed JSON", `{"application_id": 7,`, 400, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/session.json", "", tc.body)
			expect(t, r, tc.status, tc.wantBody)
			if tc.status != 201 {
				return
			}
			var got struct{ Session cube.Session }
			r.decode(t, &got)
			if got.Session.Token == "" || got.Session.UserID != tc.wantUser || got.Session.ApplicationID != testAppID {
				t.Fatalf("session = %+v", got.Session)
			}
			if tc.wantUser != 0 && (got.Session.User == nil || got.Session.User.Login != "john") {
				t.Fatalf("session user = %+v", got.Session.User)
			}
			// The new token works on both path spellings.
			for _, path := range []string{"/session", "/session.json"} {
				expect(t, e.do("GET", path, got.Session.Token, nil), 200, "")
			}
		})
	}
}

func TestTokenLifecycle(t *testing.T) {
	e := newEnv(t)
	e.user("ann")
	r := e.do("POST", "/session", "", map[string]any{"application_id": 7, "auth_key": testKey})
	expect(t, r, http.StatusCreated, "")
	var s struct{ Session cube.Session }
	r.decode(t, &s)
	token := s.Session.Token

	expect(t, e.do("GET", "/chat/Dialog", token, nil), 403, `{"errors":{"base":["Forbidden. Need user."]}}`)
	r = e.do("POST", "/login.json", token, map[string]any{"login": "ann", "password": "ann-pw"})
	expect(t, r, 200, "")
	var lu struct{ User cube.User }
	r.decode(t, &lu)
	if lu.User.Login != "ann" {
		t.Fatalf("login answer = %s", r.body)
	}
	expect(t, e.do("GET", "/chat/Dialog", token, nil), 200, "")
	expect(t, e.do("POST", "/login", token, map[string]any{"login": "ann", "password": "bad"}), 401, `{"errors":["Unauthorized"]}`)
	expect(t, e.do("DELETE", "/login.json", token, nil), 200, "")
	expect(t, e.do("GET", "/chat/Dialog", token, nil), 403, "")

	expect(t, e.do("DELETE", "/session.json", token, nil), 200, "")
	for _, tc := range []struct{ name, token string }{{"deleted", token}, {"unknown", "0123456789abcdef"}, {"none", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, e.do("GET", "/session.json", tc.token, nil), 401, sessionMissing)
			expect(t, e.do("GET", "/chat/Message", tc.token, nil), 401, sessionMissing)
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t)
	_, token := e.user("zed")
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/nope", 404},
		{"GET", "/chat/Nope.json", 404},
		{"PATCH", "/session", 405},
		{"DELETE", "/chat/Dialog", 405},
	}
	for _, tc := range tests {
		r := e.do(tc.method, tc.path, token, nil)
		if r.status != tc.status || len(r.body) == 0 || r.body[0] != '{' {
			t.Errorf("%s %s = %d %s, want %d with a JSON body", tc.method, tc.path, r.status, r.body, tc.status)
		}
	}
	big := `{"name":"` + strings.Repeat("x", maxBodyBytes+10) + `"}`
	expect(t, e.do("POST", "/chat/Dialog", token, big), http.StatusRequestEntityTooLarge, "")
}
