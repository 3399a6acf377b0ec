package cubeserver

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/cubeserver/throttle"
)

// Failed sign-ins are throttled per account on REST and XMPP alike: after the burst,
// even the right password gets 429 / temporary-auth-failure until the bucket drains;
// successful sign-ins are not counted; another account is unaffected.
func TestFailedSignInsAreThrottled(t *testing.T) {
	p := store.CheapPasswordPolicy()
	var nowNS atomic.Int64
	nowNS.Store(time.Unix(1_700_000_000, 0).UnixNano())
	clock := func() time.Time { return time.Unix(0, nowNS.Load()) }
	guard := throttle.New(throttle.Limits{Burst: 3, Drain: time.Minute}, throttle.Limits{Burst: 1000, Drain: time.Second}, clock)
	s, err := Start(context.Background(), Config{DataDir: t.TempDir(), XMPPTLSAddr: "127.0.0.1:0", PasswordPolicy: &p, LoginGuard: guard})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	ada, err := s.Store().CreateUser(ctx, cube.User{Login: "ada"}, "lovelace")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store().CreateUser(ctx, cube.User{Login: "bob"}, "builder"); err != nil {
		t.Fatal(err)
	}
	hc := pinnedClient(t, s)
	signIn := func(login, pw string) int {
		status, _ := post(t, hc, s.HTTPURL()+"/session", nil, map[string]any{"application_id": s.AppID(),
			"auth_key": s.AuthKey(), "user": map[string]any{"login": login, "password": pw}})
		return status
	}
	for i := 0; i < 5; i++ { // successes do not count
		if got := signIn("ada", "lovelace"); got != http.StatusCreated {
			t.Fatalf("sign-in %d = %d", i, got)
		}
	}
	for i := 0; i < 2; i++ {
		if got := signIn("ada", "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("wrong password %d = %d", i, got)
		}
	}
	// The third failure comes over XMPP: the account's count is shared.
	conn, r := saslConn(t, s)
	sasl := func(pw string) {
		write(t, conn, `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>`+
			base64.StdEncoding.EncodeToString([]byte("\x00"+authcid(s, ada.ID)+"\x00"+pw))+`</auth>`)
	}
	sasl("wrong")
	if got := readElem(t, r, "failure"); !strings.Contains(got, saslNotAuthorized) {
		t.Fatalf("XMPP wrong password: %s", got)
	}
	if got := signIn("ada", "lovelace"); got != http.StatusTooManyRequests {
		t.Fatalf("right password while locked = %d, want 429", got)
	}
	sasl("lovelace")
	if got := readElem(t, r, "failure"); !strings.Contains(got, `<temporary-auth-failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl">`) {
		t.Fatalf("XMPP right password while locked: %s", got)
	}
	if got := scramLogin(t, s, "SCRAM-SHA-256", authcid(s, ada.ID), "lovelace"); !strings.Contains(got, "temporary-auth-failure") {
		t.Fatalf("SCRAM while locked: %s", got)
	}
	if got := signIn("bob", "builder"); got != http.StatusCreated {
		t.Fatalf("another account = %d", got)
	}
	nowNS.Add(int64(time.Minute)) // one failure drains
	if got := signIn("ada", "lovelace"); got != http.StatusCreated {
		t.Fatalf("after the drain = %d", got)
	}
}
