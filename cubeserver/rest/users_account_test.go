package rest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/cubeserver/throttle"
)

// fakeChat plays the chat server for the account calls: a fixed online list, and a
// record of the streams it was asked to end.
type fakeChat struct {
	online []int64

	mu      sync.Mutex
	revoked []int64
	deleted []int64
}

func (f *fakeChat) Deliver(int64, *cube.MessageStanza) {}
func (f *fakeChat) OnlineUserIDs() []int64             { return slices.Clone(f.online) }
func (f *fakeChat) CredentialsRevoked(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = append(f.revoked, id)
}
func (f *fakeChat) AccountDeleted(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, id)
}

func (f *fakeChat) calls() (revoked, deleted []int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.revoked), slices.Clone(f.deleted)
}

// newEnvChat is newEnv with fakeChat as the chat server.
func newEnvChat(t *testing.T, chat *fakeChat) *env {
	e, _ := newEnvChatPath(t, chat)
	return e
}

// newEnvChatPath also returns the database file, for a second look at it with SQL.
func newEnvChatPath(t *testing.T, chat *fakeChat) (*env, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPasswordPolicy(store.CheapPasswordPolicy()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Config{AppID: testAppID, AuthKey: testKey, Domain: "localhost"}, st, chat))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &env{t: t, srv: srv, st: st}, path
}

func userPath(u cube.User) string { return fmt.Sprintf("/users/%d", u.ID) }

// decodeUser reads {"user":{…}} as raw fields, so nulls can be told from absent keys.
func decodeUser(t *testing.T, r response) map[string]any {
	t.Helper()
	var got struct{ User map[string]any }
	r.decode(t, &got)
	if got.User == nil {
		t.Fatalf("no user in %s", r.body)
	}
	return got.User
}

func TestUpdateOwnProfile(t *testing.T) {
	e := newEnvChat(t, &fakeChat{})
	amy, token := e.user("amy")
	bob, _ := e.user("bob")

	r := e.do("PUT", userPath(amy)+".json", token, map[string]any{"user": map[string]any{
		"full_name": "Amy Pond", "website": "amy.example", "tag_list": []string{"vip", "beta"}, "avatar": "blob-uid-1"}})
	expect(t, r, 200, "")
	got := decodeUser(t, r)
	if got["full_name"] != "Amy Pond" || got["website"] != "amy.example" || got["user_tags"] != "vip,beta" || got["avatar"] != "blob-uid-1" {
		t.Fatalf("updated user = %v", got)
	}
	if v, ok := got["email"]; !ok || v != nil {
		t.Fatalf("unset email must be null, got %v (present %v)", v, ok)
	}
	// Stored, not only echoed.
	if u, _ := e.st.UserByID(context.Background(), amy.ID); u.FullName != "Amy Pond" {
		t.Fatalf("stored full_name = %q", u.FullName)
	}
	// null clears a field; fields left out stay.
	r = e.do("PUT", userPath(amy), token, `{"user":{"website":null}}`)
	expect(t, r, 200, "")
	got = decodeUser(t, r)
	if got["website"] != nil || got["full_name"] != "Amy Pond" {
		t.Fatalf("after clearing website: %v", got)
	}
	// Someone else's account, a taken login, a bad value, no user object.
	expect(t, e.do("PUT", userPath(bob), token, map[string]any{"user": map[string]any{"full_name": "x"}}), 403, "")
	expect(t, e.do("PUT", userPath(amy), token, map[string]any{"user": map[string]any{"login": "BOB"}}), 422,
		`{"errors":{"login":["has already been taken"]}}`)
	expect(t, e.do("PUT", userPath(amy), token, map[string]any{"user": map[string]any{"timezone": "east"}}), 422, "")
	expect(t, e.do("PUT", userPath(amy), token, map[string]any{"full_name": "flat"}), 422, "")
	expect(t, e.do("PUT", userPath(amy), "", map[string]any{"user": map[string]any{"full_name": "x"}}), 401, sessionMissing)
	if u, _ := e.st.UserByID(context.Background(), bob.ID); u.FullName != "BOB" {
		t.Fatalf("bob's name changed to %q", u.FullName)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	chat := &fakeChat{}
	e := newEnvChat(t, chat)
	amy, token := e.user("amy")
	_, other := e.user("amy2")
	ctx := context.Background()
	second, err := e.st.CreateSession(ctx, store.NewSession{AppID: testAppID, UserID: amy.ID})
	if err != nil {
		t.Fatal(err)
	}
	change := func(old, pw string) response {
		return e.do("PUT", userPath(amy), token, map[string]any{"user": map[string]any{"old_password": old, "password": pw}})
	}
	expect(t, change("wrong", "new-secret-1"), 422, `{"errors":{"old_password":["is incorrect"]}}`)
	expect(t, e.do("PUT", userPath(amy), token, map[string]any{"user": map[string]any{"password": "new-secret-1"}}), 422,
		`{"errors":{"old_password":["is required to change the password"]}}`)
	if revoked, _ := chat.calls(); len(revoked) != 0 {
		t.Fatalf("refused changes ended streams: %v", revoked)
	}
	expect(t, e.do("GET", "/session", second.Token, nil), 200, "")

	expect(t, change("amy-pw", "new-secret-1"), 200, "")
	expect(t, e.do("GET", "/session", second.Token, nil), 401, sessionMissing) // the other session ended
	expect(t, e.do("GET", "/session", token, nil), 200, "")                    // the caller's stays
	expect(t, e.do("GET", "/session", other, nil), 200, "")                    // another user's too
	if revoked, _ := chat.calls(); !slices.Equal(revoked, []int64{amy.ID}) {
		t.Fatalf("chat streams ended for %v, want [%d]", revoked, amy.ID)
	}
	login := func(pw string) response {
		return e.do("POST", "/session", "", map[string]any{"application_id": testAppID, "auth_key": testKey,
			"user": map[string]any{"login": "amy", "password": pw}})
	}
	expect(t, login("amy-pw"), 401, "")
	expect(t, login("new-secret-1"), 201, "")
	if ok, _ := e.st.CheckChatPassword(ctx, amy.ID, "amy-pw"); ok {
		t.Fatal("the chat still takes the old password")
	}
}

func TestDeleteOwnAccount(t *testing.T) {
	chat := &fakeChat{}
	e, path := newEnvChatPath(t, chat)
	ctx := context.Background()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// updatedMS is a dialog's updated_at as catch-up filters it (milliseconds; the
	// wire's dates are whole seconds).
	updatedMS := func(id string) int64 {
		var ms int64
		if err := raw.QueryRowContext(ctx, `SELECT updated_at FROM dialogs WHERE id = ?`, id).Scan(&ms); err != nil {
			t.Fatal(err)
		}
		return ms
	}
	amy, token := e.user("amy")
	bob, bobToken := e.user("bob")
	cat, _ := e.user("cat")
	dan, _ := e.user("dan")
	newDialog := func(n store.NewDialog) *cube.Dialog {
		d, _, err := e.st.CreateDialog(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// amy owns a group where cat is admin, one where only occupants remain, one alone,
	// and a broadcast dialog whose admin dan does not occupy it; bob and amy chat.
	withAdmin := newDialog(store.NewDialog{Type: cube.DialogGroup, OwnerID: amy.ID, Name: "admins",
		OccupantIDs: []int64{bob.ID, cat.ID}, AdminIDs: []int64{cat.ID}})
	plain := newDialog(store.NewDialog{Type: cube.DialogGroup, OwnerID: amy.ID, Name: "plain", OccupantIDs: []int64{cat.ID, bob.ID}})
	alone := newDialog(store.NewDialog{Type: cube.DialogGroup, OwnerID: amy.ID, Name: "alone"})
	news := newDialog(store.NewDialog{Type: cube.DialogBroadcast, OwnerID: amy.ID, Name: "news"})
	if _, err := e.st.UpdateDialog(ctx, news.ID, amy.ID, store.DialogChanges{PushAdmins: []int64{dan.ID}}); err != nil {
		t.Fatal(err)
	}
	bobs := newDialog(store.NewDialog{Type: cube.DialogGroup, OwnerID: bob.ID, Name: "bob's", OccupantIDs: []int64{amy.ID}})
	private := newDialog(store.NewDialog{Type: cube.DialogPrivate, OwnerID: amy.ID, OccupantIDs: []int64{bob.ID}})
	before := map[string]int64{}
	for _, d := range []*cube.Dialog{withAdmin, plain, news, bobs, private} {
		before[d.ID] = updatedMS(d.ID)
	}

	expect(t, e.do("DELETE", userPath(bob), token, nil), 403, "")
	expect(t, e.do("DELETE", userPath(amy), bobToken, nil), 403, "")
	expect(t, e.do("DELETE", userPath(amy)+".json", token, nil), 200, "")

	expect(t, e.do("GET", "/session", token, nil), 401, sessionMissing)
	expect(t, e.do("GET", userPath(amy), bobToken, nil), 404, "")
	if _, deleted := chat.calls(); !slices.Equal(deleted, []int64{amy.ID}) {
		t.Fatalf("chat streams ended for %v, want [%d]", deleted, amy.ID)
	}
	check := func(d *cube.Dialog, owner int64, occupants ...int64) {
		t.Helper()
		got, err := e.st.Dialog(ctx, d.ID)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		slices.Sort(got.OccupantsIDs)
		if got.UserID != owner || !slices.Equal(got.OccupantsIDs, occupants) || slices.Contains(got.AdminsIDs, amy.ID) {
			t.Fatalf("%s: owner %d occupants %v admins %v; want owner %d occupants %v", d.Name, got.UserID,
				got.OccupantsIDs, got.AdminsIDs, owner, occupants)
		}
		if updatedMS(d.ID) <= before[d.ID] {
			t.Fatalf("%s: updated_at did not move, so catch-up would miss the change", d.Name)
		}
	}
	check(withAdmin, cat.ID, bob.ID, cat.ID) // the admin takes over
	check(plain, bob.ID, bob.ID, cat.ID)     // else the first occupant to join (here at once: the lower id)
	check(news, dan.ID, dan.ID)              // the broadcast's admin, now its occupant
	check(bobs, bob.ID, bob.ID)
	check(private, amy.ID, bob.ID) // stays with bob (the pair's ids are its identity)
	if _, err := e.st.Dialog(ctx, alone.ID); err == nil {
		t.Fatal("the dialog amy was alone in survived her")
	}
	// The name is free again.
	if _, err := e.st.CreateUser(ctx, cube.User{Login: "amy"}, "pw-again"); err != nil {
		t.Fatalf("login of a deleted user: %v", err)
	}
}

func TestGetUserByID(t *testing.T) {
	e := newEnvChat(t, &fakeChat{})
	amy, token := e.user("amy")
	r := e.do("GET", userPath(amy)+".json", token, nil)
	expect(t, r, 200, "")
	got := decodeUser(t, r)
	if got["login"] != "amy" || got["full_name"] != "AMY" {
		t.Fatalf("user = %v", got)
	}
	for _, k := range nullableUserFields {
		if v, ok := got[k]; !ok || v != nil {
			t.Fatalf("unset %s = %v (present %v), want null", k, v, ok)
		}
	}
	expect(t, e.do("GET", "/users/999999", token, nil), 404, "")
	expect(t, e.do("GET", "/users/nobody", token, nil), 404, "")
	expect(t, e.do("GET", userPath(amy), "", nil), 401, sessionMissing)
	r = e.do("GET", "/users/by_login?login=AMY", token, nil)
	expect(t, r, 200, "")
	if decodeUser(t, r)["login"] != "amy" {
		t.Fatalf("by_login: %s", r.body)
	}
}

func TestOnlineUsers(t *testing.T) {
	chat := &fakeChat{}
	e := newEnvChat(t, chat)
	amy, token := e.user("amy")
	e.user("bob")
	cat, _ := e.user("cat")
	chat.online = []int64{amy.ID, cat.ID}

	var list struct{ Users []cube.User }
	r := e.do("GET", "/users/online.json", token, nil)
	expect(t, r, 200, "")
	r.decode(t, &list)
	if len(list.Users) != 2 || list.Users[0].ID != amy.ID || list.Users[1].ID != cat.ID {
		t.Fatalf("online = %s", r.body)
	}
	if !strings.Contains(string(r.body), `"email":null`) {
		t.Fatalf("online users must carry null fields: %s", r.body)
	}
	r = e.do("GET", "/users/online?limit=1&offset=1", token, nil)
	r.decode(t, &list)
	if len(list.Users) != 1 || list.Users[0].ID != cat.ID {
		t.Fatalf("second page = %s", r.body)
	}
	expect(t, e.do("GET", "/users/online?count=true", token, nil), 200, `{"count":2}`)
	chat.online = nil
	expect(t, e.do("GET", "/users/online", token, nil), 200, `{"users":[]}`)
	expect(t, e.do("GET", "/users/online?count=1", token, nil), 200, `{"count":0}`)
}

func TestPasswordResetRequest(t *testing.T) {
	e := newEnvChat(t, &fakeChat{})
	_, token := e.user("amy")
	if _, err := e.st.CreateUser(context.Background(), cube.User{Email: "eve@example.com"}, "pw"); err != nil {
		t.Fatal(err)
	}
	expect(t, e.do("POST", "/users/password/reset.json", token, map[string]any{"email": "eve@example.com"}), 200, "")
	expect(t, e.do("POST", "/users/password/reset", token, map[string]any{"email": "nobody@example.com"}), 200, "")
	expect(t, e.do("GET", "/users/password/reset?email=eve@example.com", token, nil), 200, "")
	expect(t, e.do("POST", "/users/password/reset", token, map[string]any{}), 422, `{"errors":{"email":["can't be blank"]}}`)
	expect(t, e.do("POST", "/users/password/reset", "", map[string]any{"email": "eve@example.com"}), 401, sessionMissing)
}

// Guessing the current password with a stolen token is throttled like sign-ins: the
// account's failures are counted, and past the burst the change is refused with 429
// (even with the right password) until the bucket drains.
func TestWrongOldPasswordsAreThrottled(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPasswordPolicy(store.CheapPasswordPolicy()); err != nil {
		t.Fatal(err)
	}
	frozen := time.Unix(1_700_000_000, 0)
	guard := throttle.New(throttle.Limits{Burst: 3, Drain: time.Hour}, throttle.Limits{Burst: 100, Drain: time.Hour},
		func() time.Time { return frozen })
	srv := httptest.NewServer(New(Config{AppID: testAppID, AuthKey: testKey, Domain: "localhost", LoginGuard: guard}, st, &fakeChat{}))
	t.Cleanup(func() { srv.Close(); st.Close() })
	e := &env{t: t, srv: srv, st: st}
	amy, token := e.user("amy")
	change := func(old string) response {
		return e.do("PUT", userPath(amy), token, map[string]any{"user": map[string]any{"old_password": old, "password": "new-secret-1"}})
	}
	for i := range 3 {
		if r := change(fmt.Sprintf("guess-%d", i)); r.status != 422 {
			t.Fatalf("guess %d: %d %s", i, r.status, r.body)
		}
	}
	expect(t, change("guess-4"), 429, "")
	expect(t, change("amy-pw"), 429, "")
	if ok, _ := st.VerifyPassword(context.Background(), amy.ID, "amy-pw"); !ok {
		t.Fatal("a throttled request changed the password")
	}
}
