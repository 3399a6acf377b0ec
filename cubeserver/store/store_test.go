package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// reopenAt runs queries on s (taking its database back to an older schema), closes
// it and opens path again, so that the migrations from there on run.
func reopenAt(t *testing.T, s *Store, path string, queries ...string) *Store {
	t.Helper()
	for _, q := range queries {
		if _, err := s.db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// The tests sign up many users; TestDefaultPasswordPolicyIsSecure covers the default.
	if err := s.SetPasswordPolicy(CheapPasswordPolicy()); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustUser(t *testing.T, s *Store, login string) cube.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), cube.User{Login: login, FullName: login}, login+"-pw")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	u := mustUser(t, s, "alice")
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	got, err := s.UserByLogin(context.Background(), "ALICE")
	if err != nil || got.ID != u.ID {
		t.Fatalf("UserByLogin after reopen = %+v, %v", got, err)
	}
}

func TestCreateUserRules(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	mustUser(t, s, "alice")
	if _, err := s.CreateUser(ctx, cube.User{Email: "a@x.io"}, "pw"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		u    cube.User
		pw   string
		want error
	}{
		{"duplicate login, other case", cube.User{Login: "Alice"}, "pw", ErrLoginTaken},
		{"duplicate email", cube.User{Login: "bob", Email: "A@x.io"}, "pw", ErrEmailTaken},
		{"no login or email", cube.User{FullName: "Nobody"}, "pw", ErrInvalidInput},
		{"no password", cube.User{Login: "carol"}, "", ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.CreateUser(ctx, tc.u, tc.pw); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPasswordsAndChatSecrets(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	if _, err := s.Authenticate(ctx, "alice", "", "alice-pw"); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if _, err := s.Authenticate(ctx, "alice", "", "wrong"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wrong password: err = %v", err)
	}
	var phc string
	if err := s.db.QueryRow(`SELECT password_phc FROM users WHERE id = ?`, alice.ID).Scan(&phc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(phc, "alice-pw") || !strings.HasPrefix(phc, "$argon2id$v=19$") {
		t.Fatalf("password stored as %q", phc)
	}
	sess, err := s.CreateSession(ctx, NewSession{AppID: 1, UserID: alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		user   int64
		secret string
		want   bool
	}{
		{"password", alice.ID, "alice-pw", true},
		{"own token", alice.ID, sess.Token, true},
		{"someone else's token", bob.ID, sess.Token, false},
		{"wrong password", alice.ID, "bob-pw", false},
		{"empty", alice.ID, "", false},
		{"unknown user", 999, "alice-pw", false},
	}
	for _, tc := range tests {
		got, err := s.CheckChatPassword(ctx, tc.user, tc.secret)
		if err != nil || got != tc.want {
			t.Errorf("%s: CheckChatPassword = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if err := s.DeleteSession(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.CheckChatPassword(ctx, alice.ID, sess.Token); ok {
		t.Fatal("a deleted session's token still logs in")
	}
}

func TestNonceReplay(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	ts := int64(2_000_000_000)
	if err := s.UseNonce(ctx, 1, ts, "42", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.UseNonce(ctx, 1, ts, "42", 0); !errors.Is(err, ErrNonceUsed) {
		t.Fatalf("replay: err = %v", err)
	}
	if err := s.UseNonce(ctx, 1, ts, "43", 0); err != nil {
		t.Fatalf("other nonce: %v", err)
	}
}

func TestOfflineQueueOrderAndTakeOnce(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for _, st := range []string{"<a/>", "<b/>", "<c/>"} {
		if err := s.QueueOffline(ctx, 7, []byte(st)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.QueueOffline(ctx, 8, []byte("<other/>")); err != nil {
		t.Fatal(err)
	}
	got, err := s.TakeOffline(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || string(got[0]) != "<a/>" || string(got[2]) != "<c/>" {
		t.Fatalf("TakeOffline = %q", got)
	}
	if again, _ := s.TakeOffline(ctx, 7); len(again) != 0 {
		t.Fatalf("second TakeOffline = %q", again)
	}
	if other, _ := s.TakeOffline(ctx, 8); len(other) != 1 {
		t.Fatalf("user 8 queue = %q", other)
	}
}

func TestUserActivity(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if active, _ := s.UserActive(ctx, 5); !active {
		t.Fatal("a user without a record should count as active")
	}
	for _, want := range []bool{false, true, false} {
		if err := s.SetUserActive(ctx, 5, want); err != nil {
			t.Fatal(err)
		}
		if got, err := s.UserActive(ctx, 5); err != nil || got != want {
			t.Fatalf("UserActive = %v, %v; want %v", got, err, want)
		}
	}
}

func TestNotFoundErrorsAreRecognisable(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := mustUser(t, s, "a")
	_, dialogErr := s.Dialog(ctx, cube.NewObjectID())
	_, userErr := s.FindOrCreatePrivateDialog(ctx, a.ID, 4242)
	for name, err := range map[string]error{"dialog": dialogErr, "user": userErr} {
		var nf interface{ NotFound() bool }
		if !errors.Is(err, ErrNotFound) || !errors.As(err, &nf) || !nf.NotFound() {
			t.Errorf("%s: %v is not recognisable as not found", name, err)
		}
	}
}

func TestExpiredSessionIsGone(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := mustUser(t, s, "a")
	sess, err := s.CreateSession(ctx, NewSession{AppID: 1, UserID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE sessions SET expires_at = ? WHERE id = ?`, nowMS()-1, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionByToken(ctx, sess.Token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired token: err = %v", err)
	}
	if ok, _ := s.CheckChatPassword(ctx, a.ID, sess.Token); ok {
		t.Fatal("an expired token still logs in to chat")
	}
}
