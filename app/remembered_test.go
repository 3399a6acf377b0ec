package app

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	gosync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	csync "github.com/cubechat/cubechat/sync"
)

// mapTokens is a token store in a map, standing in for the OS keyring.
type mapTokens struct {
	mu gosync.Mutex
	m  map[string]string
}

var errNoToken = errors.New("test: no token stored")

func (s *mapTokens) Save(key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[key] = token
	return nil
}

func (s *mapTokens) Load(key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if token, ok := s.m[key]; ok {
		return token, nil
	}
	return "", errNoToken
}

func (s *mapTokens) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *mapTokens) get(key string) string {
	token, _ := s.Load(key)
	return token
}

// rememberEnv is one device (a cache, a token store, a Fyne app with its Preferences)
// and an in-process cubeserver with Alice and Bob. Every UI built on it is "the next
// start of the app" on that device.
type rememberEnv struct {
	ctx     context.Context
	srv     *cubeserver.Server
	profile csync.Profile
	db      *cache.DB
	tokens  *mapTokens
	app     fyne.App
	bobID   int64
}

func startRemember(t *testing.T) *rememberEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	srv, err := cubeserver.Start(ctx, cubeserver.Config{DataDir: t.TempDir(),
		HTTPAddr: "127.0.0.1:0", XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if _, err := srv.Store().CreateUser(ctx, cube.User{Login: "alice", FullName: "Alice"}, "alice-pass"); err != nil {
		t.Fatal(err)
	}
	bob, err := srv.Store().CreateUser(ctx, cube.User{Login: "bob", FullName: "Bob"}, "bob-pass")
	if err != nil {
		t.Fatal(err)
	}
	return &rememberEnv{ctx: ctx, srv: srv, db: openCache(t), tokens: &mapTokens{}, app: test.NewTempApp(t), bobID: bob.ID,
		profile: csync.Profile{Name: "test", APIURL: srv.HTTPURL(), ChatHost: srv.XMPPTLSAddr(),
			ChatDomain: srv.Domain(), ChatTLS: "tls", AppID: srv.AppID(), AuthKey: srv.AuthKey(),
			AuthSecret: srv.AuthSecret(), CertPEM: srv.CertPEM()}}
}

// newUI starts the app on this device: no Demo, the device's token store.
func (r *rememberEnv) newUI(t *testing.T) *UI {
	t.Helper()
	// No certificate is added here: the remembered form pins the test server's own, so
	// these tests also prove that Resume at the next start still pins it.
	u, err := New(r.app, Deps{Cache: r.db, Tokens: r.tokens, NewEngine: func(p csync.Profile) *csync.Engine {
		return csync.New(r.db, p, nil)
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	onUI(func() { u.Window().Resize(fyne.NewSize(1000, 700)) })
	return u
}

func (r *rememberEnv) tokenKey() string { return r.profile.APIURL + "|alice" }

// signedInBefore is yesterday's sign-in: the token saved, the profile remembered.
func (r *rememberEnv) signedInBefore(t *testing.T) {
	t.Helper()
	e := csync.New(r.db, r.profile, nil)
	e.UseTokenStore(r.tokens)
	if err := e.Login(r.ctx, "alice", "alice-pass"); err != nil {
		t.Fatal(err)
	}
	saveForm(r.app.Preferences(), formFromProfile(r.profile, "alice"))
}

// client is another client of the server holding token.
func (r *rememberEnv) client(token string) *cube.Client {
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(r.profile.CertPEM) // the server's REST is HTTPS with its own certificate
	c := cube.NewClient(cube.Config{AppID: r.profile.AppID, AuthKey: r.profile.AuthKey,
		AuthSecret: r.profile.AuthSecret, APIURL: r.profile.APIURL, RootCAs: roots})
	c.SetToken(token)
	return c
}

// revoke ends the saved session from another client (DELETE /session).
func (r *rememberEnv) revoke(t *testing.T) string {
	t.Helper()
	token := r.tokens.get(r.tokenKey())
	if token == "" {
		t.Fatal("no token saved")
	}
	if err := r.client(token).DeleteSession(r.ctx); err != nil {
		t.Fatal(err)
	}
	return token
}

func waitMain(t *testing.T, u *UI, what string) *mainScreen {
	t.Helper()
	var m *mainScreen
	waitFor(t, what, 20*time.Second, func() bool {
		onUI(func() { m = u.main })
		return m != nil
	})
	return m
}

func waitReady(t *testing.T, e *csync.Engine) {
	t.Helper()
	waitFor(t, "the chat connection", 20*time.Second, func() bool { return e.Status().State == csync.StateReady })
}

// TestRememberedSignInSkipsThePassword: sign in once with the password; the next start
// over the same cache and token store opens on the main screen, no password typed, and
// sends.
func TestRememberedSignInSkipsThePassword(t *testing.T) {
	r := startRemember(t)
	first := r.newUI(t)
	s := first.login
	onUI(func() {
		if s.busy || first.main != nil {
			t.Fatal("with nothing remembered the app opens on an idle login screen")
		}
		s.fill(formFromProfile(r.profile, "alice"))
		test.Type(s.password, "alice-pass")
		test.Tap(s.signInBtn)
	})
	waitMain(t, first, "the first sign-in")
	onUI(func() {
		if s.password.Text != "" {
			t.Error("the login form keeps the password after signing in")
		}
	})
	if r.tokens.get(r.tokenKey()) == "" {
		t.Fatal("the sign-in saved no token")
	}
	waitReady(t, first.Engine())
	dialogID, err := first.Engine().CreateDialog(r.ctx, cube.DialogPrivate, "", []int64{r.bobID})
	if err != nil {
		t.Fatal(err)
	}
	first.Close()

	next := r.newUI(t)
	onUI(func() {
		if !next.login.busy && next.main == nil {
			t.Error("a remembered session shows \"Signing in…\" while it is checked")
		}
	})
	m := waitMain(t, next, "the remembered sign-in")
	onUI(func() {
		if next.login.password.Text != "" || next.login.login.Text != "alice" {
			t.Errorf("login form %q/%q: no password may be filled in", next.login.login.Text, next.login.password.Text)
		}
	})
	waitReady(t, next.Engine())
	waitFor(t, "the dialog in the list", 10*time.Second, func() (ok bool) {
		onUI(func() { ok = m.selectDialog(dialogID) })
		return ok
	})
	onUI(func() {
		test.Type(m.chat.composer, "sent without a password")
		m.chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	waitFor(t, "the message to reach the server", 20*time.Second, func() bool {
		msgs, err := r.db.Messages(r.ctx, dialogID, time.Time{}, "", 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range msgs {
			if msg.Body == "sent without a password" && msg.State != cache.StatePending && msg.State != cache.StateFailed {
				return true
			}
		}
		return false
	})
}

// TestStartWithoutAUsableSessionShowsTheLoginScreen: a session revoked elsewhere, or no
// token at all, leads to the pre-filled login screen; only the revoked one says why.
func TestStartWithoutAUsableSessionShowsTheLoginScreen(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, r *rememberEnv)
		want    string
	}{
		{"revoked on another device", func(t *testing.T, r *rememberEnv) { r.revoke(t) }, sessionEndedText()},
		{"no token saved", func(t *testing.T, r *rememberEnv) { r.tokens.Delete(r.tokenKey()) }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := startRemember(t)
			r.signedInBefore(t)
			c.prepare(t, r)
			u := r.newUI(t)
			s := u.login
			waitFor(t, "the check of the saved session", 20*time.Second, func() (done bool) {
				onUI(func() { done = !s.busy })
				return done
			})
			uiMu.Lock()
			defer uiMu.Unlock()
			if u.main != nil || u.Window().Content() != s.content {
				t.Fatal("without a usable session the app shows the login screen")
			}
			if s.ErrorText() != c.want {
				t.Errorf("login screen says %q, want %q", s.ErrorText(), c.want)
			}
			if s.login.Text != "alice" || s.password.Text != "" || s.apiURL.Text != r.profile.APIURL {
				t.Errorf("the form is pre-filled with the login and server, not a password: %q %q %q",
					s.login.Text, s.password.Text, s.apiURL.Text)
			}
			if r.tokens.get(r.tokenKey()) != "" {
				t.Error("a dead token stays saved")
			}
		})
	}
}

// TestSessionEndedSignsInAgainInADialog: the session ends while the app runs; the
// banner's "Sign in again" asks for the password over the main screen; a wrong one is
// refused in place, the right one brings the engine back online.
func TestSessionEndedSignsInAgainInADialog(t *testing.T) {
	r := startRemember(t)
	r.signedInBefore(t)
	u := r.newUI(t)
	m := waitMain(t, u, "the remembered sign-in")
	e := u.Engine()
	waitReady(t, e)
	old := r.revoke(t)
	if _, err := e.FindUsers(r.ctx, "somebody"); err == nil {
		t.Fatal("a REST call on a revoked session succeeded")
	}
	waitFor(t, "the banner's Sign in again", 10*time.Second, func() (ok bool) {
		onUI(func() { ok = m.chat.banner.Action() == "Sign in again" })
		return ok
	})

	var d *signInDialog
	onUI(func() {
		m.chat.banner.TapAction()
		d = m.signIn
		if d == nil || u.Window().Canvas().Overlays().Top() == nil {
			t.Fatal("Sign in again opens the password dialog")
		}
		test.Type(d.password, "wrong-pass")
		test.Tap(d.signInBtn)
	})
	waitFor(t, "the wrong password to be refused", 10*time.Second, func() (ok bool) {
		onUI(func() { ok = !d.busy && d.ErrorText() != "" })
		return ok
	})
	onUI(func() {
		if d.ErrorText() != "Wrong password. Try again." || m.signIn != d || u.Window().Canvas().Overlays().Top() == nil {
			t.Errorf("a wrong password keeps the dialog open and says so: %q", d.ErrorText())
		}
		if u.main != m || u.Window().Content() != m.content {
			t.Error("the main screen stays while signing in again")
		}
		d.password.SetText("")
		test.Type(d.password, "alice-pass")
		test.Tap(d.signInBtn)
	})
	waitFor(t, "the dialog to close", 10*time.Second, func() (closed bool) {
		onUI(func() { closed = m.signIn == nil && u.Window().Canvas().Overlays().Top() == nil })
		return closed
	})
	onUI(func() {
		if d.password.Text != "" {
			t.Error("the dialog keeps the password")
		}
	})
	waitReady(t, e)
	waitFor(t, "the banner to clear", 10*time.Second, func() (ok bool) {
		onUI(func() { ok = m.chat.banner.Action() == "" && m.chat.banner.Text() == "" })
		return ok
	})
	if fresh := r.tokens.get(r.tokenKey()); fresh == "" || fresh == old {
		t.Error("signing in again saves the new session's token")
	}
	if u.Engine() != e {
		t.Error("signing in again keeps the same engine")
	}
}

// TestSignOutForgetsTheSessionButKeepsMessages: "Sign out…", confirmed, ends the server
// session, deletes the token and the account, and returns to the login screen with the
// login filled in; the cached messages stay.
func TestSignOutForgetsTheSessionButKeepsMessages(t *testing.T) {
	r := startRemember(t)
	r.signedInBefore(t)
	u := r.newUI(t)
	waitMain(t, u, "the remembered sign-in")
	e := u.Engine()
	waitReady(t, e)
	dialogID, err := e.CreateDialog(r.ctx, cube.DialogPrivate, "", []int64{r.bobID})
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.Send(r.ctx, dialogID, "kept after signing out")
	if err != nil {
		t.Fatal(err)
	}
	token := r.tokens.get(r.tokenKey())

	onUI(u.confirmSignOut)
	onUI(func() {
		yes := findIn(u.Window().Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
			b, ok := o.(*widget.Button)
			return ok && b.Text == "Yes"
		})
		if yes == nil {
			t.Fatal("signing out asks first")
		}
		test.Tap(yes.(*widget.Button))
	})
	waitFor(t, "the sign-out to finish", 15*time.Second, func() (done bool) {
		onUI(func() { done = u.main == nil && !u.login.busy })
		return done
	})
	onUI(func() {
		s := u.login
		if u.Engine() != nil || u.Window().Content() != s.content {
			t.Error("signing out shows the login screen")
		}
		if s.login.Text != "alice" || s.password.Text != "" || s.ErrorText() != "" {
			t.Errorf("login %q, password %q, error %q", s.login.Text, s.password.Text, s.ErrorText())
		}
	})
	if r.tokens.get(r.tokenKey()) != "" {
		t.Error("the token outlives signing out")
	}
	if acc, err := r.db.Account(r.ctx); acc != nil || err != nil {
		t.Errorf("the account outlives signing out: %+v, %v", acc, err)
	}
	if _, err := r.db.Message(r.ctx, id); err != nil {
		t.Errorf("signing out lost the cached message: %v", err)
	}
	if _, err := r.client(token).GetSession(r.ctx); !cube.IsStatus(err, http.StatusUnauthorized) {
		t.Errorf("the server session outlives signing out: %v", err)
	}
}
