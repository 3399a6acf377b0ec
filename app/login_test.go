package app

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/internal/testwait"
	csync "github.com/cubechat/cubechat/sync"
)

// openCache opens a fresh cache in a temp dir, closed at the end of the test.
func openCache(t *testing.T) *cache.DB {
	t.Helper()
	db, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitFor polls cond until it holds. A cond that reads widgets wraps that in onUI.
var waitFor = testwait.For

func newTestUI(t *testing.T, deps Deps) *UI {
	t.Helper()
	return newTestUIOn(t, test.NewTempApp(t), deps)
}

// newTestUIOn is newTestUI on a given Fyne app (e.g. one with a tray, tray_test.go).
func newTestUIOn(t *testing.T, a fyne.App, deps Deps) *UI {
	t.Helper()
	u, err := New(a, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	onUI(func() { u.Window().Resize(fyne.NewSize(1000, 700)) })
	return u
}

func TestLoginUnreachableServerKeepsInput(t *testing.T) {
	db := openCache(t)
	engines := 0
	u := newTestUI(t, Deps{Cache: db, NewEngine: func(p csync.Profile) *csync.Engine {
		engines++
		return csync.New(db, p, nil)
	}})
	s := u.login
	addr := closedAddr(t)
	s.kind.SetSelected(kindCustom)
	s.apiURL.SetText("http://" + addr)
	s.chatHost.SetText(addr)
	s.appID.SetText("1")
	s.authKey.SetText("key")
	test.Type(s.login, "alice")
	test.Type(s.password, "secret")
	test.Tap(s.signInBtn)

	waitFor(t, "the error", 10*time.Second, func() (shown bool) {
		onUI(func() { shown = s.ErrorText() != "" && !s.busy })
		return shown
	})
	uiMu.Lock() // the sign-in has finished; read the screen in step with the UI
	defer uiMu.Unlock()
	if !strings.Contains(s.ErrorText(), "Cannot reach the server") {
		t.Errorf("error %q", s.ErrorText())
	}
	if s.login.Text != "alice" || s.password.Text != "secret" || s.apiURL.Text != "http://"+addr {
		t.Error("a failed sign-in must keep everything typed")
	}
	if u.main != nil || engines != 1 {
		t.Errorf("still on the login screen with one attempt: main=%v engines=%d", u.main != nil, engines)
	}
	if s.signInBtn.Disabled() {
		t.Error("the Sign-in button is usable again")
	}
}

func TestLoginValidatesBeforeCallingTheServer(t *testing.T) {
	db := openCache(t)
	called := false
	u := newTestUI(t, Deps{Cache: db, NewEngine: func(p csync.Profile) *csync.Engine {
		called = true
		return csync.New(db, p, nil)
	}})
	s := u.login
	cases := []struct {
		setup func()
		want  string
	}{
		{func() {}, "Enter your login and password."},
		{func() { s.login.SetText("a"); s.password.SetText("b"); s.appID.SetText("x") }, "App ID must be a positive number."},
		{func() { s.appID.SetText("5") }, "Enter the application's auth key."},
	}
	for _, c := range cases {
		c.setup()
		s.signIn()
		if s.ErrorText() != c.want {
			t.Errorf("error %q, want %q", s.ErrorText(), c.want)
		}
	}
	if called {
		t.Error("an invalid form must not start a sign-in")
	}
	if s.login.Text != "a" || s.appID.Text != "5" {
		t.Error("validation must keep what was typed")
	}
}

// A chat server whose certificate is not trusted keeps the user on the form with the
// reason, naming the chat server, though the API server (pinned) signs in fine.
func TestLoginRefusesAnUntrustedChatCertificate(t *testing.T) {
	r := startRemember(t)
	other := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(other.Close)
	u := r.newUI(t)
	s := u.login
	onUI(func() {
		s.fill(formFromProfile(r.profile, "alice"))
		s.chatHost.SetText(other.Listener.Addr().String())
		s.chatTLS.SetSelected(tlsDirectLabel())
		s.password.SetText("alice-pass")
		test.Tap(s.signInBtn)
	})
	waitFor(t, "the error", 20*time.Second, func() (shown bool) {
		onUI(func() { shown = s.ErrorText() != "" && !s.busy })
		return shown
	})
	onUI(func() {
		if u.main != nil {
			t.Fatal("signed in despite the chat server's certificate")
		}
		want := "The chat server " + other.Listener.Addr().String() + " presented a certificate this device does not trust"
		if !strings.HasPrefix(s.ErrorText(), want) {
			t.Errorf("error %q", s.ErrorText())
		}
		if s.password.Text != "alice-pass" {
			t.Error("the password was cleared")
		}
	})
}
