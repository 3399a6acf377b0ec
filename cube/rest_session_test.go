package cube

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The documented example of docs/protocol.md §2.5, signed by hand with HMAC-SHA1.
func TestSessionSignatureMatchesDocumentedString(t *testing.T) {
	const signed = "application_id=1&auth_key=AK&nonce=4821&timestamp=1700000000&user[login]=john&user[password]=pw"
	mac := hmac.New(sha1.New, []byte("SECRET"))
	mac.Write([]byte(signed))
	want := hex.EncodeToString(mac.Sum(nil))

	got := SessionSignature("SECRET", map[string]string{
		"user[password]": "pw", "timestamp": "1700000000", "nonce": "4821",
		"auth_key": "AK", "application_id": "1", "user[login]": "john",
		"signature": "ignored",
	})
	if got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	body := signedSessionBody(Config{AppID: 1, AuthKey: "AK", AuthSecret: "SECRET"},
		map[string]string{"login": "john", "password": "pw"}, 4821, 1700000000)
	if body["signature"] != want {
		t.Fatalf("signed body carries %v, want %s", body["signature"], want)
	}
}

// sessionServer answers POST /session and records the decoded JSON body and headers.
func sessionServer(t *testing.T, got *map[string]any, hdr *http.Header) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/session" {
			http.Error(w, `{"errors":["wrong route"]}`, http.StatusNotFound)
			return
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, got); err != nil {
			t.Errorf("session body is not JSON: %s", b)
		}
		*hdr = r.Header.Clone()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"session":{"id":7,"user_id":81,"application_id":1,"token":"tok-81","ts":1544010993}}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCreateSessionSigned(t *testing.T) {
	var body map[string]any
	var hdr http.Header
	srv := sessionServer(t, &body, &hdr)
	c := NewClient(Config{AppID: 1, AuthKey: "AK", AuthSecret: "SECRET", APIURL: srv.URL})
	s, err := c.CreateSession(context.Background(), "john", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if s.UserID != 81 || c.Token() != "tok-81" {
		t.Fatalf("session %+v, token %q", s, c.Token())
	}
	// Verify the way a server does: flatten the nested user, re-sign, compare.
	flat := map[string]string{}
	for k, v := range body {
		switch v := v.(type) {
		case string:
			flat[k] = v
		case map[string]any:
			for sk, sv := range v {
				flat[k+"["+sk+"]"] = sv.(string)
			}
		default:
			t.Fatalf("signed field %s is %T, want a string", k, v)
		}
	}
	for _, k := range []string{"application_id", "auth_key", "nonce", "timestamp", "user[login]", "user[password]"} {
		if flat[k] == "" {
			t.Errorf("signed body lacks %s: %v", k, body)
		}
	}
	if want := SessionSignature("SECRET", flat); flat["signature"] != want {
		t.Fatalf("server-side check fails: sent %s, recomputed %s", flat["signature"], want)
	}
	if hdr.Get("CB-SDK") != sdkHeader || hdr.Get("CB-Token") != "" {
		t.Fatalf("headers: %v", hdr)
	}
}

func TestCreateSessionUnsignedAndTokenHeader(t *testing.T) {
	var body map[string]any
	var hdr http.Header
	srv := sessionServer(t, &body, &hdr)
	c := NewClient(Config{AppID: 1, AuthKey: "AK", APIURL: srv.URL})
	if _, err := c.CreateAppSession(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := body["signature"]; ok || body["application_id"] != float64(1) || body["auth_key"] != "AK" {
		t.Fatalf("unsigned body: %v", body)
	}
	if _, ok := body["user"]; ok {
		t.Fatalf("an app session must not send a user: %v", body)
	}
	// A second call carries the token of the first.
	if _, err := c.CreateAppSession(context.Background()); err != nil {
		t.Fatal(err)
	}
	if hdr.Get("CB-Token") != "tok-81" {
		t.Fatalf("CB-Token = %q", hdr.Get("CB-Token"))
	}
}
